import { compareKeys } from '../datasources/object-store.js';

/** The first key strictly after `startAfter` (S3's StartAfter), or null when there is none: one ListObjectsV2 with MaxKeys=1. */
export type FirstKeyAfter = (startAfter: string) => Promise<string | null>;

/**
 * At most this many probes per plan (each one ListObjectsV2 call of one key): the first key, about
 * log2(key length) to find the prefix every remaining key shares, one per character of the alphabet found right after it,
 * and when those are fewer than the ranges, a few rounds of probing the split points.
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

const ALPHANUMERIC = NAME_ALPHABETS.at(-2)!;

/** Split points are placed among this many positions at least (more character positions are used until then), at most this deep. */
const RESOLUTION = 4096;
const MAX_LEVELS = 64;
/** When the deeper alphabets place most split points, finer: stretches found empty may leave the keys in a small part of the model. */
const FINE_RESOLUTION = 2 ** 24;

/** Characters past a leading one that its keys' own shared prefix is looked for up to (`DSC_1` under `D`: 4). */
const MAX_OWN_PREFIX = 8;

/** Rounds of probing the split points for empty stretches of the model (all of a round's probes at once). */
const MAX_REFINEMENTS = 4;

/** Rounds of narrowing in on the one character that holds the keys (after setting aside the ones that start a single key). */
const MAX_ROUNDS = 3;

/**
 * Where to cut the keys after `after` into up to `count` ranges of about as many keys each, found by probing
 * the store when nothing else says where keys lie (the first sync of a flat layout: no catalog, no folders).
 *
 * It finds the prefix every remaining key shares, then every character that follows it (one probe each,
 * skipping past the keys under the one found; the rest of a found character's alphabet is probed at once, so
 * numbered and hashed names take one round trip for it), and models the keys below as spread evenly over those
 * characters and, deeper, over the alphabet the probed keys use there (digits, hex, letters…). A character
 * that starts a single key is set aside (a README beside the photos); when one character is left, it narrows
 * in on it and starts over one level down. When fewer characters than ranges follow the prefix, the deeper
 * alphabets place most split points and may be far wider than the keys (a month's two digits run 01-12, not
 * 00-99; `DSC_` and `IMG_` leave 25 of 26 letters unused): each round probes every split point at once, sets
 * aside the stretch between it and the key found after it, which holds none, and places the split points again
 * over what is left. Sequential numbers, hashed names and dates come out about even; a lopsided
 * layout comes out lopsided, never wrong: the boundaries need not be keys, and the shards between them
 * cover every key exactly once whatever they are. Returns the boundaries (the shards' `through`, in key
 * order, all after `after`); none when there is nothing to split.
 *
 * @example await splitKeyRanges('img_019999.jpg', 4, probe) // ['img_2649', 'img_5099', 'img_7549'] for img_000000.jpg … img_999999.jpg, in 18 probes
 */
export async function splitKeyRanges(after: string, count: number, firstKeyAfter: FirstKeyAfter, maxProbes = MAX_KEY_RANGE_PROBES): Promise<string[]> {
  // Every key a probe returned: what the deeper alphabets are read from.
  const sampled: string[] = [];
  let probes = 0;
  const probe = async (startAfter: string) => {
    probes++;
    const key = await firstKeyAfter(startAfter);
    if (key !== null) sampled.push(key);
    return key;
  };
  const budgetLeft = () => probes < maxProbes;
  // Probes that may go out at once on a guess, past those the later steps (the single-key check, the split points) need.
  const spareForGuesses = () => maxProbes - probes - Math.max(1, Math.min(3 * count, Math.floor(maxProbes / 2)));
  if (count < 2 || maxProbes < 2) return [];
  let first = await probe(after);
  if (first === null) return [];

  let shared = '';
  // Keys from here on belong to characters set aside: the shards still cover them, the model leaves them out.
  let setAside: string | null = null;
  for (let round = 1; ; round++) {
    const limit = setAside;
    const modelled = (key: string | null): key is string => key !== null && (limit === null || compareKeys(key, limit) < 0);

    // The longest prefix of `first` that every modelled key starts with (a binary search: it holds for every shorter one).
    const firstChars = [...first];
    let low = [...shared].length;
    let high = firstChars.length;
    while (low < high && budgetLeft()) {
      const middle = Math.ceil((low + high) / 2);
      const beyond = pastEveryKeyUnder(firstChars.slice(0, middle).join(''));
      if (beyond === null || !modelled(await probe(beyond))) low = middle;
      else high = middle - 1;
    }
    shared = firstChars.slice(0, low).join('');

    const { children, capped } = await charactersAfter(shared, first, modelled, probe, budgetLeft, spareForGuesses);
    if (children.length === 0) return [];
    // Among few characters, one that starts a single key would get ranges of its own.
    const single = new Set<number>();
    if (children.length < 2 * count) {
      // Independent of each other: sent at once, so they cost one round trip.
      const checked = children.slice(0, Math.max(0, maxProbes - probes));
      const seconds = await Promise.all(checked.map((child) => probe(child.firstKey)));
      for (const [index, child] of checked.entries()) {
        const second = seconds[index]!;
        if (!modelled(second) || !second.startsWith(`${shared}${String.fromCodePoint(child.char)}`)) single.add(child.char);
      }
    }
    const many = children.filter((child) => !single.has(child.char));
    const chars = (many.length > 0 ? many : children).map((child) => child.char);
    if (round < MAX_ROUNDS && many.length === 1 && single.size > 0 && !capped && budgetLeft()) {
      first = many[0]!.firstKey;
      setAside = pastEveryKeyUnder(`${shared}${String.fromCodePoint(many[0]!.char)}`);
      continue;
    }

    const along = (many.length > 0 ? many : children)[0]!.firstKey;
    // With fewer characters than ranges, the deeper alphabets place most split points, and they are guesses (months are
    // two digits but only 01-12): the split points are probed for stretches that hold no key, and placed again without them.
    const refine = chars.length < count;
    const seenKeys = [after, ...sampled].filter(modelled);
    const deeper = await deeperAlphabets(shared, chars, seenKeys, along, probe, budgetLeft, refine ? FINE_RESOLUTION : RESOLUTION);
    const levels = [capped ? widenPastLast(chars) : chars, ...deeper];
    const start = positionOf(after, shared, levels);
    const gaps: Gap[] = [];
    if (refine) {
      // A character's keys may share more than it (`DSC_1` under D, `IMG_` under I): the rest of its slot is empty.
      const kept = many.length > 0 ? many : children;
      const owned = await Promise.all(
        kept.map(async (child) => {
          const under = `${shared}${String.fromCodePoint(child.char)}`;
          return { under, prefix: await sharedUnder(under, child.firstKey, modelled, probe, budgetLeft) };
        }),
      );
      for (const { under, prefix } of owned) {
        if (prefix === under) continue;
        const pastPrefix = pastEveryKeyUnder(prefix);
        const pastUnder = pastEveryKeyUnder(under);
        addGap(gaps, positionOf(under, shared, levels), positionOf(prefix, shared, levels));
        addGap(gaps, pastPrefix === null ? 1 : positionOf(pastPrefix, shared, levels), pastUnder === null ? 1 : positionOf(pastUnder, shared, levels));
      }
    }
    let positions = evenPositions(start, gaps, count);
    for (let refinement = 0; refine && refinement < MAX_REFINEMENTS && positions.length > 0 && maxProbes - probes >= positions.length; refinement++) {
      const candidates = positions.map((position) => keyAt(position, shared, levels));
      const found = await Promise.all(candidates.map((candidate) => probe(candidate)));
      const openBefore = openLength(start, gaps);
      for (const [index, candidate] of candidates.entries()) {
        const key = found[index]!;
        addGap(gaps, positionOf(candidate, shared, levels), modelled(key) ? positionOf(key, shared, levels) : 1);
      }
      positions = evenPositions(start, gaps, count);
      // Little found empty this round: the next would move the split points little.
      if (openLength(start, gaps) > openBefore * 0.95) break;
    }
    const boundaries: string[] = [];
    for (const position of positions) {
      const boundary = keyAt(position, shared, levels);
      if (compareKeys(boundary, boundaries.at(-1) ?? after) > 0) boundaries.push(boundary);
    }
    return boundaries;
  }
}

/** The longest prefix of `first`, up to MAX_OWN_PREFIX characters past `under`, that every modelled key under `under` from `first` on starts with (one probe per character). */
async function sharedUnder(
  under: string,
  first: string,
  modelled: (key: string | null) => key is string,
  probe: FirstKeyAfter,
  budgetLeft: () => boolean,
): Promise<string> {
  const chars = [...first];
  const from = [...under].length;
  let length = from;
  while (length < Math.min(chars.length, from + MAX_OWN_PREFIX) && budgetLeft()) {
    const beyond = pastEveryKeyUnder(chars.slice(0, length + 1).join(''));
    const key = beyond === null ? null : await probe(beyond);
    if (modelled(key) && key.startsWith(under)) break;
    length++;
  }
  return chars.slice(0, length).join('');
}

/**
 * Every character that follows `shared` in the modelled keys from `first` on, in order, with the first key under it;
 * `capped` when the probes ran out first. After each character found, the first key past every key under it and
 * under each later character of its alphabet (digits, hex, letters…) are asked for at once, up to `spareForGuesses`
 * probes: numbered and hashed names list their characters in one round trip instead of one each. The last of those
 * answers is the first key past the alphabet, where it goes on.
 */
async function charactersAfter(
  shared: string,
  first: string,
  modelled: (key: string | null) => key is string,
  probe: FirstKeyAfter,
  budgetLeft: () => boolean,
  spareForGuesses: () => number,
): Promise<{ children: { char: number; firstKey: string }[]; capped: boolean }> {
  const children: { char: number; firstKey: string }[] = [];
  const charOf = (key: string) => key.slice(shared.length).codePointAt(0);
  let next: string | null = first;
  while (modelled(next) && next.startsWith(shared)) {
    const char = charOf(next);
    if (char === undefined) {
      // `next` is `shared` itself: the keys under it come next.
      if (!budgetLeft()) return { children, capped: true };
      next = await probe(next);
      continue;
    }
    children.push({ char, firstKey: next });
    if (pastEveryKeyUnder(`${shared}${String.fromCodePoint(char)}`) === null) break;
    if (!budgetLeft()) return { children, capped: true };
    const guesses = alphabetOf([char])
      .filter((other) => other > char)
      .slice(0, Math.max(0, spareForGuesses()));
    const last = guesses.at(-1) ?? char;
    const found = await Promise.all([char, ...guesses].map((start) => probe(pastEveryKeyUnder(`${shared}${String.fromCodePoint(start)}`)!)));
    for (const key of found.slice(0, -1)) {
      if (!modelled(key) || !key.startsWith(shared)) break;
      const following = charOf(key)!;
      if (following > last) break;
      if (following !== children.at(-1)!.char) children.push({ char: following, firstKey: key });
    }
    next = found.at(-1)!;
  }
  return { children, capped: false };
}

/**
 * The alphabets of the positions after the first under `shared`, from the keys seen under the kept characters,
 * until they place every boundary finely enough. Probed keys are the first of their ranges, so they lean to low
 * characters (`0` rather than `f`): under `along`'s characters, a probe past each alphabet's last one looks for more.
 */
async function deeperAlphabets(
  shared: string,
  chars: readonly number[],
  seenKeys: readonly string[],
  along: string,
  probe: FirstKeyAfter,
  budgetLeft: () => boolean,
  resolution: number,
): Promise<number[][]> {
  const tails = seenKeys
    .filter((key) => key.startsWith(shared) && chars.includes(key.codePointAt(shared.length) ?? -1))
    .map((key) => [...key.slice(shared.length)]);
  const path = [...along.slice(shared.length)];
  const levels: number[][] = [];
  for (let depth = 1, positions = chars.length; depth < MAX_LEVELS && positions < resolution; depth++) {
    const seen = tails.flatMap((tail) => tail.slice(depth, depth + 1)).map((char) => char.codePointAt(0)!);
    if (seen.length === 0) break;
    let alphabet = alphabetOf(seen);
    const under = `${shared}${path.slice(0, depth).join('')}`;
    while (path.length > depth && budgetLeft()) {
      const beyond = pastEveryKeyUnder(`${under}${String.fromCodePoint(alphabet.at(-1)!)}`);
      const key = beyond === null ? null : await probe(beyond);
      const char = key?.startsWith(under) ? key.codePointAt(under.length) : undefined;
      if (char === undefined) break;
      seen.push(char);
      const widened = alphabetOf(seen);
      if (widened.at(-1)! <= alphabet.at(-1)!) break;
      alphabet = widened;
    }
    levels.push(alphabet);
    positions *= alphabet.length;
  }
  return levels;
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

/** The first of NAME_ALPHABETS holding every one of `chars`, else just the characters seen; one punctuation mark seen every time is a separator (`2025-01-21`). */
function alphabetOf(chars: readonly number[]): number[] {
  const distinct = [...new Set(chars)].sort((a, b) => a - b);
  if (distinct.length === 1 && !ALPHANUMERIC.includes(distinct[0]!)) return distinct;
  return NAME_ALPHABETS.find((alphabet) => distinct.every((char) => alphabet.includes(char))) ?? distinct;
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

/** A stretch of the model, from `from` to `to` (positions, 0 to 1), that holds no key: a probe from `from` found the next key at `to`. */
interface Gap {
  from: number;
  to: number;
}

/** Adds a stretch to `gaps` (kept sorted and disjoint); an empty or reversed one (the model's rounding) adds nothing. */
function addGap(gaps: Gap[], from: number, to: number): void {
  if (!(to > from)) return;
  const merged: Gap[] = [];
  for (const gap of [...gaps, { from, to }].sort((a, b) => a.from - b.from)) {
    const last = merged.at(-1);
    if (last !== undefined && gap.from <= last.to) last.to = Math.max(last.to, gap.to);
    else merged.push({ ...gap });
  }
  gaps.splice(0, gaps.length, ...merged);
}

/** The stretches from `start` to 1 not known to be empty. */
function openStretches(start: number, gaps: readonly Gap[]): Gap[] {
  const open: Gap[] = [];
  let from = start;
  for (const gap of gaps) {
    if (gap.to <= from) continue;
    if (gap.from > from) open.push({ from, to: gap.from });
    from = gap.to;
  }
  if (from < 1) open.push({ from, to: 1 });
  return open;
}

function openLength(start: number, gaps: readonly Gap[]): number {
  return openStretches(start, gaps).reduce((total, stretch) => total + stretch.to - stretch.from, 0);
}

/** `count - 1` positions that cut what is open after `start` into `count` parts of equal length (none when nothing is open). */
function evenPositions(start: number, gaps: readonly Gap[], count: number): number[] {
  const open = openStretches(start, gaps);
  const total = open.reduce((sum, stretch) => sum + stretch.to - stretch.from, 0);
  if (open.length === 0 || total <= 0) return [];
  const positions: number[] = [];
  let index = 0;
  let before = 0;
  for (let part = 1; part < count; part++) {
    const target = (total * part) / count;
    while (index < open.length - 1 && before + open[index]!.to - open[index]!.from < target) {
      before += open[index]!.to - open[index]!.from;
      index++;
    }
    positions.push(Math.min(open[index]!.from + target - before, open[index]!.to));
  }
  return positions;
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
