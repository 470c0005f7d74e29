import { compareKeys } from '../datasources/object-store.js';

/** The first key strictly after `startAfter` (S3's StartAfter), or null when there is none: one ListObjectsV2 with MaxKeys=1. */
export type FirstKeyAfter = (startAfter: string) => Promise<string | null>;

/**
 * At most this many probes per plan (each one ListObjectsV2 call of one key): the first key, about
 * log2(key length) to find the prefix every remaining key shares, one per character found right after it.
 */
export const MAX_KEY_RANGE_PROBES = 64;

/** Character sets that names are commonly drawn from, smallest first: a position's alphabet is the first holding every character seen there. */
const NAME_ALPHABETS = [
  '0123456789',
  '0123456789ABCDEF',
  '0123456789abcdef',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  'abcdefghijklmnopqrstuvwxyz',
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  '0123456789abcdefghijklmnopqrstuvwxyz',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz',
].map((alphabet) => [...alphabet].map((char) => char.codePointAt(0)!));

/** Split points are placed among this many positions at least (more character positions are used until then), at most this deep. */
const RESOLUTION = 4096;
const MAX_DEPTH = 8;

/**
 * Where to cut the keys after `after` into up to `count` ranges of about as many keys each, found by probing
 * the store when nothing else says where keys lie (the first sync of a flat layout: no catalog, no folders).
 *
 * It finds the prefix every remaining key shares, then every character that follows it (one probe each,
 * skipping past the keys under the one found), and models the keys below as spread evenly over those
 * characters and, deeper, over the alphabet the probed keys use there (digits, hex, letters…). Sequential
 * numbers and hashed names come out about even; a lopsided layout comes out lopsided, never wrong: the
 * boundaries need not be keys, and the shards between them cover every key exactly once whatever they are.
 * Returns the boundaries (the shards' `through`, in key order, all after `after`); none when there is nothing to split.
 *
 * @example await splitKeyRanges('img_019999.jpg', 4, probe) // ['img_26', 'img_51', 'img_75'] for img_000000.jpg … img_999999.jpg
 */
export async function splitKeyRanges(after: string, count: number, firstKeyAfter: FirstKeyAfter, maxProbes = MAX_KEY_RANGE_PROBES): Promise<string[]> {
  let probes = 0;
  const probe = async (startAfter: string) => {
    probes++;
    return firstKeyAfter(startAfter);
  };
  if (count < 2 || maxProbes < 2) return [];
  const first = await probe(after);
  if (first === null) return [];
  const sampled = [first];

  // The longest prefix of `first` that every remaining key starts with (a binary search: it holds for every shorter one).
  const firstChars = [...first];
  const holdsEverything = async (length: number) => {
    const beyond = pastEveryKeyUnder(firstChars.slice(0, length).join(''));
    if (beyond === null) return true;
    const key = await probe(beyond);
    if (key !== null) sampled.push(key);
    return key === null;
  };
  let low = 0;
  let high = firstChars.length;
  while (low < high && probes < maxProbes) {
    const middle = Math.ceil((low + high) / 2);
    if (await holdsEverything(middle)) low = middle;
    else high = middle - 1;
  }
  const shared = firstChars.slice(0, low).join('');

  // Every character that follows the shared prefix, in order; `capped` when the probes ran out first.
  const children: number[] = [];
  let next: string | null = first;
  let capped = false;
  while (next !== null && next.startsWith(shared)) {
    const child = next.slice(shared.length).codePointAt(0);
    const skipTo = child === undefined ? next : pastEveryKeyUnder(`${shared}${String.fromCodePoint(child)}`);
    if (child !== undefined) {
      children.push(child);
      sampled.push(next);
    }
    if (skipTo === null) break;
    if (probes >= maxProbes) {
      capped = true;
      break;
    }
    next = await probe(skipTo);
  }
  if (children.length === 0) return [];

  const levels = [capped ? widenPastLast(children) : children];
  for (let depth = 1, positions = levels[0]!.length; depth < MAX_DEPTH && positions < RESOLUTION; depth++) {
    const seen = [after, ...sampled].filter((key) => key.startsWith(shared)).flatMap((key) => [...key.slice(shared.length)].slice(depth, depth + 1));
    if (seen.length === 0) break;
    const alphabet = alphabetOf(seen.map((char) => char.codePointAt(0)!));
    levels.push(alphabet);
    positions *= alphabet.length;
  }

  const start = positionOf(after, shared, levels);
  const boundaries: string[] = [];
  for (let range = 1; range < count; range++) {
    const boundary = keyAt(start + ((1 - start) * range) / count, shared, levels);
    if (compareKeys(boundary, boundaries.at(-1) ?? after) > 0) boundaries.push(boundary);
  }
  return boundaries;
}

/** A string after every key that starts with `prefix` and before every other key after them (null: none is after them); `img_3` → `img_4`. */
function pastEveryKeyUnder(prefix: string): string | null {
  const chars = [...prefix];
  while (chars.length > 0) {
    const last = chars.pop()!.codePointAt(0)!;
    if (last === 0x10ffff) continue;
    // Surrogate code points are not characters; the next one after U+D7FF is U+E000.
    const following = last + 1 === 0xd800 ? 0xe000 : last + 1;
    return `${chars.join('')}${String.fromCodePoint(following)}`;
  }
  return null;
}

/** The first of NAME_ALPHABETS holding every one of `chars`, else just the characters seen. */
function alphabetOf(chars: readonly number[]): number[] {
  const found = NAME_ALPHABETS.find((alphabet) => chars.every((char) => alphabet.includes(char)));
  return found ?? [...new Set(chars)].sort((a, b) => a - b);
}

/** The characters found, and after the last one the rest of their alphabet (the probes ran out before reaching them). */
function widenPastLast(children: readonly number[]): number[] {
  const last = children.at(-1)!;
  return [...children, ...alphabetOf(children).filter((char) => char > last)];
}

/** Where `key` lies among the keys under `shared`, from 0 to 1, modelling them as spread evenly over each level's alphabet. */
function positionOf(key: string, shared: string, levels: readonly number[][]): number {
  if (!key.startsWith(shared)) return compareKeys(key, shared) < 0 ? 0 : 1;
  const chars = [...key.slice(shared.length)];
  let position = 0;
  let width = 1;
  for (const [depth, alphabet] of levels.entries()) {
    const char = chars[depth]?.codePointAt(0);
    if (char === undefined) break;
    width /= alphabet.length;
    position += alphabet.filter((member) => member < char).length * width;
    // A character outside the alphabet sits at the start of the next one's slot: deeper ones say nothing more.
    if (!alphabet.includes(char)) break;
  }
  return position;
}

/** The string at `position` (0 to 1) among the keys under `shared`: the inverse of positionOf, and increasing with it. */
function keyAt(position: number, shared: string, levels: readonly number[][]): string {
  let key = shared;
  let rest = Math.min(Math.max(position, 0), 1);
  for (const alphabet of levels) {
    const scaled = rest * alphabet.length;
    const index = Math.min(alphabet.length - 1, Math.floor(scaled));
    key += String.fromCodePoint(alphabet[index]!);
    rest = scaled - index;
  }
  return key;
}
