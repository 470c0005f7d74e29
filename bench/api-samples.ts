/**
 * Realistic catalog rows for the API bench: folders by animal / month / camera, some of them
 * unicode or with spaces, `+`, `#`, `%`; mixed extensions; sizes, etags and dates spread
 * over three years. Deterministic, so every run and dialect serves the same pages.
 */
import type { NewSample } from '../src/catalog/sample.repository.js';
import { seededRandom } from '../src/selection/seeded-random.js';

const ANIMALS = ['cows', 'sheep', 'pigs', 'goats', 'hens', 'chèvres', 'vaches', '羊', 'ニワトリ', 'ducks 🦆'] as const;
const CAMERAS = ['cam-01', 'cam-02', 'barn 3', 'Weide+Süd', 'gate #2'] as const;
const FIRST_MONTH = Date.UTC(2022, 0, 1);
const MONTHS = 36;
const MONTH_MS = 30.44 * 24 * 3_600_000;
/** Share of each extension, in per-mille. */
const EXTENSIONS: ReadonlyArray<[string, number]> = [
  ['jpg', 600],
  ['png', 200],
  ['JPG', 80],
  ['jpeg', 50],
  ['webp', 50],
  ['tif', 20],
];

function pick<T>(items: readonly T[], r: number): T {
  return items[Math.floor(r * items.length)]!;
}

function extension(r: number): string {
  let perMille = r * 1000;
  for (const [ext, share] of EXTENSIONS) {
    if (perMille < share) return ext;
    perMille -= share;
  }
  return 'jpg';
}

function fileName(index: number, r: number, ext: string): string {
  const n = String(index).padStart(7, '0');
  if (r < 0.8) return `IMG_${n}.${ext}`;
  if (r < 0.88) return `photo ${n} (copy).${ext}`;
  if (r < 0.93) return `Kuh-Müller_${n}.${ext}`;
  if (r < 0.97) return `100%-crop+${n}.${ext}`;
  return `shot #${n} été.${ext}`;
}

export interface GeneratedSample {
  key: string;
  month: number;
}

/** The `count` relative keys with the month each was taken in, sorted as S3 lists them (by UTF-8 bytes). */
export function generateKeys(count: number, seed = 1): GeneratedSample[] {
  const next = seededRandom(seed);
  const samples: GeneratedSample[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const month = Math.floor(next() * MONTHS);
    const date = new Date(FIRST_MONTH + month * MONTH_MS);
    const folder = `${pick(ANIMALS, next())}/${date.toISOString().slice(0, 7)}/${pick(CAMERAS, next())}`;
    samples[index] = { key: `${folder}/${fileName(index, next(), extension(next()))}`, month };
  }
  const bytes = new Map(samples.map((sample) => [sample, Buffer.from(sample.key)]));
  return samples.sort((a, b) => Buffer.compare(bytes.get(a)!, bytes.get(b)!));
}

/** Every `animal/yyyy-mm/` folder the generator uses (for folder filters). */
export function monthFolders(): string[] {
  const folders: string[] = [];
  for (const animal of ANIMALS) {
    for (let month = 0; month < MONTHS; month++) folders.push(`${animal}/${new Date(FIRST_MONTH + month * MONTH_MS).toISOString().slice(0, 7)}/`);
  }
  return folders;
}

const FORMATS: Record<string, string> = { jpg: 'jpeg', jpeg: 'jpeg', png: 'png', webp: 'webp', tif: 'tiff' };

/** The catalog row a finished sync would hold for a generated key. */
export function sampleRow(datasetId: string, sample: GeneratedSample, index: number, syncedAt: string): NewSample {
  const next = seededRandom(index * 7919 + 13);
  const r = next();
  const status = r < 0.9 ? 'ok' : r < 0.99 ? 'pending' : 'error';
  const lastModified = new Date(FIRST_MONTH + (sample.month + next()) * MONTH_MS).toISOString();
  const hex8 = () =>
    Math.floor(next() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  const md5 = `${hex8()}${hex8()}${hex8()}${hex8()}`;
  // A few multipart uploads, whose etags carry the part count.
  const etag = next() < 0.95 ? md5 : `${md5}-${2 + Math.floor(next() * 8)}`;
  const ext = sample.key.slice(sample.key.lastIndexOf('.') + 1).toLowerCase();
  const landscape = next() < 0.7;
  const [long, short] = [pick([1024, 1920, 3024, 4032, 6000], next()), pick([768, 1080, 2268, 3024, 4000], next())];
  return {
    datasetId: datasetId,
    key: sample.key,
    // Log-uniform from 30 KB to 8 MB.
    size: Math.round(30_000 * Math.exp(next() * Math.log(8_000_000 / 30_000))),
    etag,
    lastModified: lastModified,
    width: status === 'ok' ? (landscape ? long : short) : null,
    height: status === 'ok' ? (landscape ? short : long) : null,
    format: status === 'ok' ? (FORMATS[ext] ?? 'jpeg') : null,
    status,
    error: status === 'error' ? 'Input buffer has corrupt header: VipsJpeg: Premature end of input file' : null,
    firstSeenAt: syncedAt,
    lastSeenAt: syncedAt,
    seenGeneration: 1,
    removedAt: next() < 0.005 ? syncedAt : null,
  };
}
