import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { NEAR_DUPLICATE_TRANSFORMS, centreCrop } from '../test/support/near-duplicates.js';

/** Debian's gnome-backgrounds: 14 4096 x 4096 WebP wallpapers, mostly renders (`apt-get install gnome-backgrounds`). */
const GNOME_BACKGROUNDS = '/usr/share/backgrounds/gnome';
/** Debian's mate-backgrounds: 30 wallpapers of 1.3 to 18 MP, 12 of them nature photos; its 8 transparent overlays are left out (`apt-get install mate-backgrounds`). */
const MATE_BACKGROUNDS = '/usr/share/backgrounds/mate';
/** Debian's darknet: 7 sample photos (dog, eagle, giraffe, horses, kite, person, scream). */
const DARKNET_DATA = '/usr/share/darknet/data';
/** python3-skimage's sample photos (CC0 / public domain); motorcycle_right is left out: it is a stereo twin of motorcycle_left. */
const SKIMAGE_DATA = '/usr/lib/python3/dist-packages/skimage/data';
const SKIMAGE_PHOTOS = [
  'astronaut.png',
  'chelsea.png',
  'coffee.png',
  'rocket.jpg',
  'hubble_deep_field.jpg',
  'retina.jpg',
  'motorcycle_left.png',
  'ihc.png',
  'camera.png',
  'clock_motion.png',
  'brick.png',
  'grass.png',
  'gravel.png',
  'coins.png',
  'moon.png',
  'cell.png',
  'page.png',
  'text.png',
];
/** Images of at least 2.5 MP are also cut into 2 x 2 non-overlapping tiles: distinct images, yet alike (one scene, one palette). */
const TILE_MIN_PIXELS = 2_500_000;
const BASE_QUALITY = 90;

export interface BaseImage {
  id: string;
  /** The file it is, or was cut from: tiles of one picture share it. */
  source: string;
  kind: 'whole' | 'tile';
  /** 'A' or 'B': the set is split by source design, so no threshold is judged on the images it was chosen on. */
  half: 'A' | 'B';
  jpeg: Buffer;
}

/** A near-duplicate made from a base image. `core` transforms are what near-duplicate detection must catch. */
export interface Transform {
  name: string;
  core: boolean;
  make: (jpeg: Buffer) => Promise<Buffer>;
}

const size = async (jpeg: Buffer) => {
  const { width, height } = await sharp(jpeg).metadata();
  return { width, height };
};

export const TRANSFORMS: Transform[] = [
  // The ones the issue names, made as the tests on real photos make them.
  ...NEAR_DUPLICATE_TRANSFORMS.map(({ name, make }) => ({ name, core: true, make })),
  { name: 'crop 80%', core: false, make: async (jpeg) => (await centreCrop(jpeg, 0.8)).jpeg({ quality: BASE_QUALITY }).toBuffer() },
  { name: 'crop 80%', core: false, make: async (jpeg) => (await centreCrop(jpeg, 0.8)).jpeg({ quality: BASE_QUALITY }).toBuffer() },
  {
    name: 'rotate 5° + crop 85%',
    core: false,
    // The largest upright square inside a square turned 5° is 92% of its side: 85% leaves no corner of the background.
    make: async (jpeg) => {
      const { width, height } = await size(jpeg);
      const rotated = await sharp(jpeg).rotate(5, { background: '#000' }).toBuffer({ resolveWithObject: true });
      const [w, h] = [Math.round(width * 0.85), Math.round(height * 0.85)];
      const left = (rotated.info.width - w) >> 1;
      const top = (rotated.info.height - h) >> 1;
      return sharp(rotated.data).extract({ left, top, width: w, height: h }).jpeg({ quality: BASE_QUALITY }).toBuffer();
    },
  },
  { name: 'mirrored', core: false, make: (jpeg) => sharp(jpeg).flop().jpeg({ quality: BASE_QUALITY }).toBuffer() },
];

/**
 * Distinct real images, each a JPEG of quality 90: every picture whole (downscaled to at most
 * 2048 px), plus 2 x 2 tiles of the large ones. The set is split in two halves by design
 * (a light and a dark version of one wallpaper stay together). Made in memory in about a minute.
 */
export async function baseImages(): Promise<BaseImage[]> {
  const list = (folder: string, pattern: RegExp) =>
    existsSync(folder)
      ? readdirSync(folder, { recursive: true, encoding: 'utf8' })
          .filter((name) => pattern.test(name))
          .sort()
          .map((name) => join(folder, name))
      : [];
  const files = [
    ...list(GNOME_BACKGROUNDS, /\.webp$/).filter((path) => statSync(path).size > 100_000),
    // Elephants comes in three sizes; one is enough.
    ...list(MATE_BACKGROUNDS, /\.(jpg|png)$/).filter((path) => !/Elephants_\d/.test(path)),
    ...list(DARKNET_DATA, /^[a-z]+\.jpg$/),
    ...SKIMAGE_PHOTOS.map((name) => join(SKIMAGE_DATA, name)).filter((path) => existsSync(path)),
  ];
  if (!files.some((path) => path.startsWith(GNOME_BACKGROUNDS)) || !files.some((path) => path.startsWith(SKIMAGE_DATA))) {
    throw new Error('Missing photos: run `apt-get install gnome-backgrounds mate-backgrounds darknet python3-skimage` (as root) first.');
  }
  const design = (path: string) => basename(path).replace(/(-[dl]|-Dark|-Light)?\.\w+$/, '');
  const designs = [...new Set(files.map(design))].sort();
  const half = (path: string): 'A' | 'B' => (designs.indexOf(design(path)) % 2 === 0 ? 'A' : 'B');

  const images: BaseImage[] = [];
  for (const path of files) {
    // Eight MATE wallpapers are transparent overlays (flat white or black pixels drawn by their alpha): not pictures.
    const { channels: bands, isOpaque } = await sharp(path).stats();
    if (bands.length === 4 && !isOpaque) continue;
    const decoded = await sharp(path).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const { width, height, channels } = decoded.info;
    const raw = () => sharp(decoded.data, { raw: { width, height, channels } });
    const common = { source: basename(path), half: half(path) };
    const whole = await raw().resize(2048, 2048, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: BASE_QUALITY }).toBuffer();
    images.push({ id: basename(path), kind: 'whole', jpeg: whole, ...common });
    if (width * height < TILE_MIN_PIXELS) continue;
    const [tileWidth, tileHeight] = [width >> 1, height >> 1];
    for (const [row, column] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ] as const) {
      const jpeg = await raw()
        .extract({ left: column * tileWidth, top: row * tileHeight, width: tileWidth, height: tileHeight })
        .resize(2048, 2048, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: BASE_QUALITY })
        .toBuffer();
      images.push({ id: `${basename(path)}#${row}${column}`, kind: 'tile', jpeg, ...common });
    }
  }
  return images;
}
