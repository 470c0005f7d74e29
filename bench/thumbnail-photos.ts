import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's gnome-backgrounds: 4096 x 4096 WebP wallpapers (`apt-get install gnome-backgrounds`). */
const GNOME_BACKGROUNDS = '/usr/share/backgrounds/gnome';
/** python3-skimage's public-domain / CC0 sample photos (0.2 to 2 megapixels). */
const SKIMAGE_DATA = '/usr/lib/python3/dist-packages/skimage/data';
const SKIMAGE_PHOTOS = [
  'astronaut.png',
  'chelsea.png',
  'coffee.png',
  'rocket.jpg',
  'hubble_deep_field.jpg',
  'retina.jpg',
  'motorcycle_left.png',
  'motorcycle_right.png',
  'ihc.png',
];

/** Crop boxes (width x height) cut from each 4096 x 4096 wallpaper: landscape, portrait and square, 5 to 12.6 megapixels. */
const WALLPAPER_CROPS: ReadonlyArray<[number, number]> = [
  [4096, 3072],
  [3072, 4096],
  [4000, 2250],
  [2250, 4000],
  [3600, 2700],
  [2700, 3600],
  [4096, 2304],
  [3000, 3000],
  [3840, 2160],
  [2160, 3840],
  [3200, 2400],
  [2400, 3200],
];
/** Each skimage photo is scaled up to several megapixels, plain and flipped. */
const PHOTO_VARIANTS: ReadonlyArray<{ megapixels: number; flip?: 'horizontal' | 'vertical' }> = [
  { megapixels: 4 },
  { megapixels: 6, flip: 'horizontal' },
  { megapixels: 8, flip: 'vertical' },
  { megapixels: 5, flip: 'horizontal' },
  { megapixels: 3 },
];
const JPEG_QUALITY = 88;
/** Bump when the recipe changes, so a stale cache is never measured. */
const RECIPE = 'v1';

export interface PhotoSet {
  folder: string;
  files: string[];
  /** Distinct source photos the variants were made from. */
  sources: number;
  totalBytes: number;
  megapixels: { min: number; max: number; mean: number };
}

/**
 * At least `minimum` distinct multi-megapixel JPEGs made with libvips from the few real photos
 * Debian ships (14 wallpapers, 9 photos): crops, flips and rescales, so no two files are alike.
 * Kept in the temp folder between runs; never in the repository.
 */
export async function preparePhotos(minimum: number): Promise<PhotoSet> {
  const folder = join(tmpdir(), `winnow-bench-photos-${RECIPE}`);
  const wallpapers = existsSync(GNOME_BACKGROUNDS)
    ? readdirSync(GNOME_BACKGROUNDS)
        .filter((name) => name.endsWith('.webp'))
        .map((name) => join(GNOME_BACKGROUNDS, name))
        .filter((path) => statSync(path).size > 100_000)
    : [];
  const photos = SKIMAGE_PHOTOS.map((name) => join(SKIMAGE_DATA, name)).filter((path) => existsSync(path));
  if (wallpapers.length === 0) throw new Error(`No wallpapers in ${GNOME_BACKGROUNDS}: run \`apt-get install gnome-backgrounds\` (as root) first.`);

  const jobs: Array<{ name: string; make: (out: string) => Promise<void> }> = [];
  for (const wallpaper of wallpapers) {
    WALLPAPER_CROPS.forEach(([width, height], index) => {
      const left = (index * 271) % (4096 - width + 1);
      const top = (index * 173) % (4096 - height + 1);
      const flip = index % 2 === 1;
      jobs.push({
        name: `${basename(wallpaper, '.webp')}-${index}-${width}x${height}.jpg`,
        make: async (out) => {
          const cropped = `${out}.crop.v`;
          await vips('crop', wallpaper, flip ? cropped : jpeg(out), left, top, width, height);
          if (flip) await vips('flip', cropped, jpeg(out), 'horizontal');
          rmSync(cropped, { force: true });
        },
      });
    });
  }
  for (const photo of photos) {
    const { width, height } = await dimensions(photo);
    PHOTO_VARIANTS.forEach(({ megapixels, flip }, index) => {
      const scale = Math.sqrt((megapixels * 1e6) / (width * height));
      jobs.push({
        name: `${basename(photo).replace(/\.\w+$/, '')}-${index}-${megapixels}mp.jpg`,
        make: async (out) => {
          const scaled = `${out}.scaled.v`;
          await vips('resize', photo, flip ? scaled : jpeg(out), scale.toFixed(4));
          if (flip) await vips('flip', scaled, jpeg(out), flip);
          rmSync(scaled, { force: true });
        },
      });
    });
  }
  if (jobs.length < minimum) throw new Error(`Only ${jobs.length} photo variants can be made; ${minimum} were asked for.`);

  mkdirSync(folder, { recursive: true });
  const missing = jobs.filter((job) => !existsSync(join(folder, job.name)));
  if (missing.length > 0) console.log(`making ${missing.length} photo variants with vips in ${folder} (once; kept for later runs)...`);
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const job = missing[next++]!;
      const partial = join(folder, `.partial-${job.name}`);
      await job.make(partial);
      renameSync(partial, join(folder, job.name));
    }
  };
  await Promise.all([worker(), worker()]);

  const files = jobs.map((job) => join(folder, job.name));
  const sizes = await Promise.all(files.map(dimensions));
  const megapixels = sizes.map((size) => (size.width * size.height) / 1e6);
  return {
    folder,
    files,
    sources: wallpapers.length + photos.length,
    totalBytes: files.reduce((sum, file) => sum + statSync(file).size, 0),
    megapixels: { min: Math.min(...megapixels), max: Math.max(...megapixels), mean: megapixels.reduce((a, b) => a + b, 0) / megapixels.length },
  };
}

function jpeg(path: string): string {
  return `${path}[Q=${JPEG_QUALITY},strip]`;
}

async function vips(...args: Array<string | number>): Promise<void> {
  await run('vips', args.map(String));
}

async function dimensions(path: string): Promise<{ width: number; height: number }> {
  const { stdout } = await run('vipsheader', ['-f', 'width', path]);
  const { stdout: height } = await run('vipsheader', ['-f', 'height', path]);
  return { width: Number(stdout.trim()), height: Number(height.trim()) };
}
