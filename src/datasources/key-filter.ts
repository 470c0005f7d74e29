import picomatch from 'picomatch';
import { AppError } from '../errors.js';
import { formatLocation, WINNOW_FOLDER, type Location } from '../model/location.js';

export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'bmp', 'tif', 'tiff', 'avif'] as const;
const IMAGE_EXTENSION_SET = new Set<string>(IMAGE_EXTENSIONS);

export interface KeyFilterOptions {
  include: readonly string[];
  exclude: readonly string[];
  /** When present, only these relative keys are kept. */
  relevantKeys?: ReadonlySet<string> | undefined;
  /** Relative prefixes Winnow owns (its `.winnow/` folders) and never indexes. */
  ownPrefixes: readonly string[];
}

export type KeyVerdict = 'keep' | 'folder-marker' | 'winnow-output' | 'not-an-image' | 'excluded' | 'not-relevant';

/** Decides, for a key relative to the input prefix, whether it is a sample of the dataset. */
export function createKeyFilter(options: KeyFilterOptions): (relativeKey: string) => KeyVerdict {
  const included = options.include.length > 0 ? picomatch([...options.include], { dot: true }) : () => true;
  const excluded = options.exclude.length > 0 ? picomatch([...options.exclude], { dot: true }) : () => false;
  const ownPrefixes = [WINNOW_FOLDER, ...options.ownPrefixes];
  return (relativeKey) => {
    if (relativeKey === '' || relativeKey.endsWith('/')) return 'folder-marker';
    if (ownPrefixes.some((prefix) => relativeKey.startsWith(prefix))) return 'winnow-output';
    if (!hasImageExtension(relativeKey)) return 'not-an-image';
    if (!included(relativeKey) || excluded(relativeKey)) return 'excluded';
    if (options.relevantKeys !== undefined && !options.relevantKeys.has(relativeKey)) return 'not-relevant';
    return 'keep';
  };
}

export function hasImageExtension(key: string): boolean {
  const dot = key.lastIndexOf('.');
  if (dot === -1 || dot < key.lastIndexOf('/')) return false;
  return IMAGE_EXTENSION_SET.has(key.slice(dot + 1).toLowerCase());
}

/** Checks globs up front so a typo is reported at creation, not as an empty dataset. */
export function validateGlobs(globs: readonly string[], flag: string): void {
  const problems = globs.flatMap((glob) => {
    if (glob.trim() === '') return [`${flag} "" is empty`];
    try {
      picomatch.makeRe(glob);
      return [];
    } catch (error) {
      return [`${flag} "${glob}": ${(error as Error).message}`];
    }
  });
  if (problems.length > 0)
    throw new AppError('InputInvalid', `Invalid glob: ${problems.join('; ')}.`, {
      hint: 'Globs match keys relative to the input prefix, e.g. "cows/**/*.jpg".',
    });
}

/**
 * Reads a relevant-filenames list: one path per line, relative to the input location (or the
 * input's full key or URI, which are made relative); lines starting with '#' are comments. Every bad
 * line is reported together with its number. Returns each key with the number of lines naming it.
 * A URI of another location is kept as written: it never matches a key, and the sync reports it as outside the input.
 */
export function parseRelevantFilenames(text: string, source: string, input: Location): Map<string, number> {
  const keys = new Map<string, number>();
  const problems: string[] = [];
  const inputPrefix = input.prefix;
  const inputUri = input.kind === 'local' ? undefined : formatLocation(input);
  text.split('\n').forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    let key = line.startsWith('./') ? line.slice(2) : line;
    if (inputUri !== undefined && key.startsWith(inputUri)) key = key.slice(inputUri.length);
    else if (inputPrefix !== '' && key.startsWith(inputPrefix)) key = key.slice(inputPrefix.length);
    if (key.startsWith('/')) problems.push(`line ${index + 1}: "${line}" is absolute; paths are relative to the input folder`);
    else if (key.split('/').includes('..')) problems.push(`line ${index + 1}: "${line}" contains ".."`);
    else if (key.endsWith('/')) problems.push(`line ${index + 1}: "${line}" is a folder, not a file`);
    else keys.set(key, (keys.get(key) ?? 0) + 1);
  });
  if (problems.length > 0) {
    throw new AppError('InputInvalid', `${source} has ${problems.length} bad line(s):\n  - ${problems.slice(0, 20).join('\n  - ')}`, {
      hint: 'Write one file path per line, relative to the input folder (e.g. cows/001.jpg); start comments with #.',
      details: { problems },
    });
  }
  return keys;
}

/** Why a key of the relevant-filenames list has no sample after a complete listing. */
export type UnmatchedRelevantKey = 'missing' | 'outside' | 'skipped';

/**
 * A listed key that no object matched: `outside` when it names another location (a URI, or a
 * bucket key under the input's parent folders, e.g. `projects/farm-animals-2/a.jpg` next to
 * `projects/farm-animals/`), `skipped` when the dataset's own filters drop it (not an image,
 * excluded, Winnow's output), else `missing` from the bucket.
 */
export function classifyUnmatchedRelevantKey(key: string, inputPrefix: string, filter: (relativeKey: string) => KeyVerdict): UnmatchedRelevantKey {
  if (URI_SCHEME.test(key)) return 'outside';
  const topFolder = inputPrefix.slice(0, inputPrefix.indexOf('/') + 1);
  if (topFolder !== '' && key.startsWith(topFolder)) return 'outside';
  return filter(key) === 'keep' ? 'missing' : 'skipped';
}

const URI_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
