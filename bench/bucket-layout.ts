/** Where the bench objects live and what their keys look like. */
export const BUCKET = 'bench';
export const INPUT_PREFIX = 'projects/farm-animals/';
/** Must never be listed: the input prefix ends in '/', this one only shares its first characters. */
export const SIBLING_PREFIX = 'projects/farm-animals-2/';
export const SIBLING_COUNT = 1_000;

const ANIMALS = ['cows', 'sheep', 'pigs', 'goats', 'hens'] as const;
// s3rver re-walks the current directory from its first file (one stat per file) for every
// listing page, so folders of thousands of objects would make the test server, not the
// clients being compared, the bottleneck. 1,000 per folder keeps its cost per page flat.
export const FOLDER_SIZE = 1_000;

/** Key of the index-th object, relative to the prefix, e.g. `sheep/b0001/001234.jpg`. */
export function relativeKey(index: number): string {
  const folder = Math.floor(index / FOLDER_SIZE);
  return `${folderName(folder)}/${String(index).padStart(6, '0')}.jpg`;
}

/** `--include` globs that select exactly the first `count` objects (a multiple of FOLDER_SIZE). */
export function includeGlobsForFirst(count: number): string[] {
  if (count % FOLDER_SIZE !== 0) throw new Error(`the probe subset must be a multiple of ${FOLDER_SIZE} objects`);
  return Array.from({ length: count / FOLDER_SIZE }, (_, folder) => `${folderName(folder)}/**`);
}

function folderName(folder: number): string {
  return `${ANIMALS[folder % ANIMALS.length]}/b${String(folder).padStart(4, '0')}`;
}
