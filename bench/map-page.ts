/// <reference lib="dom" />
/**
 * The page bench/map.ts loads in Chromium: the map's renderer (regl-scatterplot, as src/web draws it)
 * and its peer, plain Canvas 2D, each drawing N points and panning one frame at a time.
 */
import createScatterplot from 'regl-scatterplot';
import { normalisePoints } from '../src/web/map-points.js';

interface Measurement {
  firstPaintMs: number;
  frameMs: number[];
}

/** Clustered points (a projection of real embeddings is clustered, not uniform), seeded. */
function makePoints(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const random = () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const centres = Array.from({ length: 40 }, () => [random() * 20 - 10, random() * 20 - 10] as const);
  const pairs = new Float32Array(count * 2);
  for (let index = 0; index < count; index += 1) {
    const [cx, cy] = centres[Math.floor(random() * centres.length)]!;
    const radius = Math.sqrt(-2 * Math.log(random() + 1e-12));
    const angle = 2 * Math.PI * random();
    pairs[index * 2] = cx + radius * Math.cos(angle);
    pairs[index * 2 + 1] = cy + radius * Math.sin(angle);
  }
  return pairs;
}

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));

function freshCanvas(): HTMLCanvasElement {
  document.body.replaceChildren();
  const canvas = document.createElement('canvas');
  canvas.style.width = '1000px';
  canvas.style.height = '700px';
  canvas.width = 1000;
  canvas.height = 700;
  document.body.append(canvas);
  return canvas;
}

/** regl-scatterplot: time to the first frame with every point, then frame times while the view pans. */
async function measureRegl(count: number, frames: number): Promise<Measurement> {
  const canvas = freshCanvas();
  const { x, y } = normalisePoints(makePoints(count, 7));
  const started = performance.now();
  const plot = createScatterplot({ canvas, width: 1000, height: 700, pointSize: count < 100_000 ? 5 : 3 });
  await plot.draw({ x: Array.from(x), y: Array.from(y) });
  await nextFrame();
  const firstPaintMs = performance.now() - started;
  const frameMs: number[] = [];
  const canvasBox = canvas.getBoundingClientRect();
  for (let frame = 0; frame < frames; frame += 1) {
    const before = performance.now();
    // The camera move a mouse drag makes: a translated view, drawn by the plot on its next frame.
    const drawn = new Promise<void>((resolve) => plot.subscribe('draw', () => resolve(), 1));
    plot.view([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, Math.sin(frame / 10) * 0.3, Math.cos(frame / 10) * 0.3, 0, 1]);
    await drawn;
    // Reading one pixel waits for the GPU (SwiftShader here) to finish the frame.
    const gl = canvas.getContext('webgl') as WebGLRenderingContext | null;
    gl?.readPixels(Math.floor(canvasBox.width / 2), Math.floor(canvasBox.height / 2), 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    frameMs.push(performance.now() - before);
  }
  plot.destroy();
  return { firstPaintMs, frameMs };
}

/** The peer: every point as a 2-px rectangle on a 2D canvas, redrawn for each panned frame. */
async function measureCanvas2d(count: number, frames: number): Promise<Measurement> {
  const canvas = freshCanvas();
  const context = canvas.getContext('2d')!;
  const { x, y } = normalisePoints(makePoints(count, 7));
  const draw = (offsetX: number, offsetY: number) => {
    context.clearRect(0, 0, 1000, 700);
    context.fillStyle = '#4e79a7';
    for (let index = 0; index < count; index += 1) context.fillRect(500 + (x[index]! + offsetX) * 350 - 1, 350 - (y[index]! + offsetY) * 350 - 1, 2, 2);
  };
  const started = performance.now();
  draw(0, 0);
  context.getImageData(500, 350, 1, 1);
  await nextFrame();
  const firstPaintMs = performance.now() - started;
  const frameMs: number[] = [];
  for (let frame = 0; frame < frames; frame += 1) {
    const before = performance.now();
    draw(Math.sin(frame / 10) * 0.3, Math.cos(frame / 10) * 0.3);
    context.getImageData(500, 350, 1, 1);
    await nextFrame();
    frameMs.push(performance.now() - before);
  }
  return { firstPaintMs, frameMs };
}

Object.assign(window, { measureRegl, measureCanvas2d });
