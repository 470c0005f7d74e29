/// <reference lib="dom" />
/**
 * The embedding map's frame time while panning, and its first paint, at 100,000 and 1,000,000 points,
 * in headless Chromium, next to a peer measured in the same run: the same points on a plain Canvas 2D.
 * Rounds alternate renderer by renderer; the median of the rounds is printed with the load average.
 *
 * Headless Chromium here has no GPU: WebGL runs on SwiftShader, a CPU rasteriser, on 2 shared cores.
 * These numbers say how the map behaves on such a machine, NOT on a laptop or workstation GPU, where
 * regl-scatterplot's authors report interactive frame rates at millions of points.
 *
 *   npm run bench:map                       # 100,000 and 1,000,000 points, 3 rounds, 30 frames each
 *   npm run bench:map -- --points 20000,100000 --rounds 5 --frames 60
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { median } from './statistics.js';

const { values } = parseArgs({
  options: { points: { type: 'string', default: '100000,1000000' }, rounds: { type: 'string', default: '3' }, frames: { type: 'string', default: '30' } },
});
const counts = values.points.split(',').map(Number);
const rounds = Number(values.rounds);
const frames = Number(values.frames);

const bundle = await build({ entryPoints: [resolve(import.meta.dirname, 'map-page.ts')], bundle: true, format: 'esm', write: false, logLevel: 'warning' });
const script = bundle.outputFiles[0]!.text;
const html = '<!doctype html><meta charset="utf-8"><body style="margin:0"><script type="module" src="/page.js"></script>';
const server = createServer((request, response) => {
  if (request.url === '/page.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
  else response.writeHead(200, { 'content-type': 'text/html' }).end(html);
});
await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
const address = server.address();
const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;

const profile = mkdtempSync(join(tmpdir(), 'winnow-bench-map-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  viewport: { width: 1000, height: 700 },
});
const page = context.pages()[0] ?? (await context.newPage());
await page.goto(url);
await page.waitForFunction(() => 'measureRegl' in window);
const renderer = await page.evaluate(() => {
  const gl = document.createElement('canvas').getContext('webgl');
  const info = gl?.getExtension('WEBGL_debug_renderer_info');
  return gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'no WebGL';
});

interface Measurement {
  firstPaintMs: number;
  frameMs: number[];
}
const percentile = (values: number[], share: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * share))]!;

console.log(`WebGL renderer: ${renderer}`);
const loadBefore = loadavg()
  .map((value) => value.toFixed(2))
  .join(' ');
console.log(`load average before: ${loadBefore}`);
const lines: string[] = [];
for (const count of counts) {
  const results: Record<'regl' | 'canvas2d', Measurement[]> = { regl: [], canvas2d: [] };
  for (let round = 0; round < rounds; round += 1) {
    for (const name of round % 2 === 0 ? (['regl', 'canvas2d'] as const) : (['canvas2d', 'regl'] as const)) {
      const measured = await page.evaluate(
        ([which, n, f]) => (window as unknown as Record<string, (n: number, f: number) => Promise<Measurement>>)[which]!(n, f),
        [name === 'regl' ? 'measureRegl' : 'measureCanvas2d', count, frames] as const,
      );
      results[name].push(measured);
    }
  }
  const summary = (name: 'regl' | 'canvas2d') => {
    const firstPaint = median(results[name].map((run) => run.firstPaintMs));
    const frameP50 = median(results[name].map((run) => median(run.frameMs)));
    const frameP95 = median(results[name].map((run) => percentile(run.frameMs, 0.95)));
    return { firstPaint, frameP50, frameP95 };
  };
  const regl = summary('regl');
  const peer = summary('canvas2d');
  const line =
    `${count.toLocaleString('en')} points: regl-scatterplot first paint ${regl.firstPaint.toFixed(0)} ms, pan frame p50 ${regl.frameP50.toFixed(1)} ms ` +
    `(${(1000 / regl.frameP50).toFixed(1)} fps), p95 ${regl.frameP95.toFixed(1)} ms | Canvas 2D first paint ${peer.firstPaint.toFixed(0)} ms, ` +
    `frame p50 ${peer.frameP50.toFixed(1)} ms, p95 ${peer.frameP95.toFixed(1)} ms | frame time regl / Canvas 2D = ${(regl.frameP50 / peer.frameP50).toFixed(2)}`;
  console.log(line);
  lines.push(line);
}
const loadAfter = loadavg()
  .map((value) => value.toFixed(2))
  .join(' ');
console.log(`load average after: ${loadAfter}`);
console.log('SwiftShader renders WebGL on the CPU: on a real GPU the frame times are far lower. Medians of the rounds.');
writeFileSync(
  resolve(import.meta.dirname, 'results/map.txt'),
  `${new Date().toISOString()}\n${renderer}\nload average before: ${loadBefore}\n${lines.join('\n')}\nload average after: ${loadAfter}\n`,
);
await context.close();
rmSync(profile, { recursive: true, force: true });
server.close();
