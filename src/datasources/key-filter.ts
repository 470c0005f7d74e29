import picomatch from 'picomatch';
import { AppError } from '../errors.js';
import { WINNOW_FOLDER } from '../model/location.js';

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
 * Reads a relevant-filenames list: one path per line, relative to the input prefix;
 * lines starting with '#' are comments. Every bad line is reported together with its number.
 */
export function parseRelevantFilenames(text: string, source: string, inputPrefix: string): Set<string> {
  const keys = new Set<string>();
  const problems: string[] = [];
  text.split('\n').forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    let key = line.startsWith('./') ? line.slice(2) : line;
    if (inputPrefix !== '' && key.startsWith(inputPrefix)) key = key.slice(inputPrefix.length);
    if (key.startsWith('/')) problems.push(`line ${index + 1}: "${line}" is absolute; paths are relative to the input folder`);
    else if (key.split('/').includes('..')) problems.push(`line ${index + 1}: "${line}" contains ".."`);
    else if (key.endsWith('/')) problems.push(`line ${index + 1}: "${line}" is a folder, not a file`);
    else keys.add(key);
  });
  if (problems.length > 0) {
    throw new AppError('InputInvalid', `${source} has ${problems.length} bad line(s):\n  - ${problems.slice(0, 20).join('\n  - ')}`, {
      hint: 'Write one file path per line, relative to the input folder (e.g. cows/001.jpg); start comments with #.',
      details: { problems },
    });
  }
  return keys;
}
