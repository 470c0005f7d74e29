/**
 * A small per-image descriptor that tells near-duplicates from distinct images of one scene, which
 * a classifier's embedding puts close together: two 16 x 16 colour thumbnails (the whole image and
 * its centre 90%, so a 10% crop lines up with its source), each with its per-channel mean removed
 * and scaled by its spread, as int8 (1,536 bytes). Brightness and contrast changes, re-encodes,
 * resizes and format copies leave it nearly unchanged; another part of the same scene does not.
 */

export const DESCRIPTOR_SIDE = 16;
const CELLS = DESCRIPTOR_SIDE * DESCRIPTOR_SIDE * 3;
/** Both thumbnails. */
export const DESCRIPTOR_BYTES = 2 * CELLS;
/** The centre region of the second thumbnail, as a share of each side. */
const CENTRE_SHARE = 0.9;
/** int8 steps per standard deviation: +-127 holds values up to 4 spreads from the mean. */
const STEPS_PER_SPREAD = 32;

/** The descriptor of an image, from the RGB bytes decoded for the model (`size` x `size`, row by row; no second decode). */
export function thumbnailDescriptor(pixels: Uint8Array, size: number): Int8Array {
  const out = new Int8Array(DESCRIPTOR_BYTES);
  const margin = (size * (1 - CENTRE_SHARE)) / 2;
  thumbnail(pixels, size, 0, size, out.subarray(0, CELLS));
  thumbnail(pixels, size, margin, size - margin, out.subarray(CELLS));
  return out;
}

/** Area-average of the square [from, to) in pixels into 16 x 16 x 3 cells, normalised and quantised into `out`. */
function thumbnail(pixels: Uint8Array, size: number, from: number, to: number, out: Int8Array): void {
  const cells = new Float64Array(CELLS);
  const step = (to - from) / DESCRIPTOR_SIDE;
  const bounds = (index: number): [number, number] => {
    const start = Math.floor(from + index * step);
    return [start, Math.max(start + 1, Math.floor(from + (index + 1) * step))];
  };
  for (let row = 0; row < DESCRIPTOR_SIDE; row++) {
    const [y0, y1] = bounds(row);
    for (let column = 0; column < DESCRIPTOR_SIDE; column++) {
      const [x0, x1] = bounds(column);
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let y = y0; y < y1; y++) {
        for (let at = (y * size + x0) * 3, end = (y * size + x1) * 3; at < end; at += 3) {
          red += pixels[at]!;
          green += pixels[at + 1]!;
          blue += pixels[at + 2]!;
        }
      }
      const scale = 255 * (y1 - y0) * (x1 - x0);
      const cell = (row * DESCRIPTOR_SIDE + column) * 3;
      cells[cell] = red / scale;
      cells[cell + 1] = green / scale;
      cells[cell + 2] = blue / scale;
    }
  }
  let spread = 0;
  for (let c = 0; c < 3; c++) {
    let mean = 0;
    for (let i = c; i < CELLS; i += 3) mean += cells[i]!;
    mean /= CELLS / 3;
    for (let i = c; i < CELLS; i += 3) {
      cells[i]! -= mean;
      spread += cells[i]! ** 2;
    }
  }
  spread = Math.sqrt(spread / CELLS);
  // A flat image has no pattern to compare: all zeros, which matches nothing (see descriptorDistance).
  if (spread < 1e-6) return;
  for (let i = 0; i < CELLS; i++) out[i] = Math.max(-127, Math.min(127, Math.round((cells[i]! / spread) * STEPS_PER_SPREAD)));
}

function cosineDistance(a: Int8Array, aStart: number, b: Int8Array, bStart: number): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < CELLS; i++) {
    const x = a[aStart + i]!;
    const y = b[bStart + i]!;
    dot += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa === 0 || bb === 0 ? 1 : 1 - dot / Math.sqrt(aa * bb);
}

/** Cells per step of `descriptorsWithin`'s early exit. */
const STEP = 64;
const STEPS = CELLS / STEP;

/**
 * What `descriptorsWithin` needs of a descriptor besides its values: for each thumbnail (whole,
 * centre), the sum of squares of its cells from each step of 64 cells to the end (the first is
 * its squared length).
 */
export type DescriptorNorms = Float64Array;

export function descriptorNorms(descriptor: Int8Array): DescriptorNorms {
  const norms = new Float64Array(2 * (STEPS + 1));
  for (let half = 0; half < 2; half++)
    for (let step = STEPS - 1; step >= 0; step--) {
      let sum = norms[half * (STEPS + 1) + step + 1]!;
      for (let i = step * STEP; i < (step + 1) * STEP; i++) sum += descriptor[half * CELLS + i]! ** 2;
      norms[half * (STEPS + 1) + step] = sum;
    }
  return norms;
}

/** Whether 1 - cos(thumbnail of a, thumbnail of b) <= threshold; `half` 0 is the whole thumbnail, 1 the centre. */
function thumbnailsWithin(
  a: Int8Array,
  aNorms: DescriptorNorms,
  aHalf: number,
  b: Int8Array,
  bNorms: DescriptorNorms,
  bHalf: number,
  threshold: number,
): boolean {
  const [aBase, bBase] = [aHalf * (STEPS + 1), bHalf * (STEPS + 1)];
  const [aa, bb] = [aNorms[aBase]!, bNorms[bBase]!];
  if (aa === 0 || bb === 0) return 1 <= threshold;
  const needed = (1 - threshold) * Math.sqrt(aa * bb);
  let dot = 0;
  for (let step = 0; step < STEPS; step++) {
    // Cauchy-Schwarz: the cells left add at most |a rest| |b rest|; once even that cannot reach the
    // needed correlation, the pair is out (the margin keeps rounding of the bound on the safe side).
    if (dot + Math.sqrt(aNorms[aBase + step]! * bNorms[bBase + step]!) < needed - 1e-6 * Math.sqrt(aa * bb)) return false;
    const [x, y] = [aHalf * CELLS + step * STEP, bHalf * CELLS + step * STEP];
    for (let i = 0; i < STEP; i++) dot += a[x + i]! * b[y + i]!;
  }
  // Integer sums: the same value cosineDistance computes.
  return 1 - dot / Math.sqrt(aa * bb) <= threshold;
}

/**
 * Whether `descriptorDistance(a, b) <= threshold`, given `descriptorNorms` of both: the same
 * answer, but a pair of unlike descriptors (most candidates) is turned down after a few steps.
 */
export function descriptorsWithin(a: Int8Array, aNorms: DescriptorNorms, b: Int8Array, bNorms: DescriptorNorms, threshold: number): boolean {
  return (
    thumbnailsWithin(a, aNorms, 0, b, bNorms, 0, threshold) ||
    thumbnailsWithin(a, aNorms, 0, b, bNorms, 1, threshold) ||
    thumbnailsWithin(a, aNorms, 1, b, bNorms, 0, threshold)
  );
}

/**
 * How unlike two descriptors are, 0 (same pattern) to 2: 1 - the correlation of the whole
 * thumbnails, or of one's whole with the other's centre when that is closer (one a crop of the other).
 */
export function descriptorDistance(a: Int8Array, b: Int8Array): number {
  return Math.min(cosineDistance(a, 0, b, 0), cosineDistance(a, 0, b, CELLS), cosineDistance(a, CELLS, b, 0));
}
