import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { classifyUnmatchedRelevantKey, createKeyFilter, hasImageExtension, parseRelevantFilenames, validateGlobs } from './key-filter.js';
import { parseLocation } from '../model/location.js';

const FARM = parseLocation('s3://datalake/projects/farm-animals/');

const noFilters = { include: [], exclude: [], ownPrefixes: [] };

describe('createKeyFilter', () => {
  it('keeps images by extension, case-insensitively', () => {
    const keep = createKeyFilter(noFilters);
    for (const key of ['a.jpg', 'b.JPEG', 'c.Png', 'd.webp', 'e.gif', 'f.bmp', 'g.tif', 'h.TIFF', 'i.avif', 'cows/ü 1.jpg']) {
      expect(keep(key), key).toBe('keep');
    }
    expect(keep('notes.txt')).toBe('not-an-image');
    expect(keep('jpg')).toBe('not-an-image');
    expect(keep('folder.jpg/readme')).toBe('not-an-image');
  });

  it("skips folder markers and Winnow's own folder", () => {
    const keep = createKeyFilter({ ...noFilters, ownPrefixes: ['sub/.winnow/'] });
    expect(keep('cows/')).toBe('folder-marker');
    expect(keep('.winnow/thumbnails/a.jpg')).toBe('winnow-output');
    expect(keep('sub/.winnow/a.jpg')).toBe('winnow-output');
    expect(keep('sub/a.jpg')).toBe('keep');
  });

  it('applies include and exclude globs to the relative key', () => {
    const keep = createKeyFilter({ include: ['cows/**'], exclude: ['**/*_draft.*'], ownPrefixes: [] });
    expect(keep('cows/a.jpg')).toBe('keep');
    expect(keep('cows/deep/b.png')).toBe('keep');
    expect(keep('pigs/a.jpg')).toBe('excluded');
    expect(keep('cows/a_draft.jpg')).toBe('excluded');
  });

  it('restricts to the relevant filenames when given', () => {
    const keep = createKeyFilter({ ...noFilters, relevantKeys: new Set(['cows/a.jpg']) });
    expect(keep('cows/a.jpg')).toBe('keep');
    expect(keep('cows/b.jpg')).toBe('not-relevant');
  });
});

describe('parseRelevantFilenames', () => {
  it('reads one relative path per line with # comments, keeping # inside names', () => {
    const keys = parseRelevantFilenames('# cows\ncows/a.jpg\r\n./cows/b #2.jpg\n\n  # indented comment\nprojects/farm-animals/pigs/c.jpg\n', 'list.txt', FARM);
    expect([...keys.keys()]).toEqual(['cows/a.jpg', 'cows/b #2.jpg', 'pigs/c.jpg']);
  });

  it('counts the lines naming each key, whichever way the line spells it', () => {
    const keys = parseRelevantFilenames(
      'cows/a.jpg\n./cows/a.jpg\nprojects/farm-animals/cows/a.jpg\ns3://datalake/projects/farm-animals/cows/a.jpg\ncows/b.jpg\n',
      'list.txt',
      FARM,
    );
    expect(Object.fromEntries(keys)).toEqual({ 'cows/a.jpg': 4, 'cows/b.jpg': 1 });
  });

  it('keeps a URI of another location as written, so it matches no key', () => {
    const keys = parseRelevantFilenames('s3://other-bucket/projects/farm-animals/a.jpg\ns3://datalake/projects/farm-animals-2/a.jpg\n', 'list.txt', FARM);
    expect([...keys.keys()]).toEqual(['s3://other-bucket/projects/farm-animals/a.jpg', 's3://datalake/projects/farm-animals-2/a.jpg']);
  });

  it('reports every bad line with its number', () => {
    let caught: unknown;
    try {
      parseRelevantFilenames('ok.jpg\n/abs.jpg\n../escape.jpg\nfolder/\n', 'list.txt', parseLocation('s3://datalake/'));
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught, 'InputInvalid')).toBe(true);
    const message = (caught as Error).message;
    expect(message).toContain('list.txt has 3 bad line(s)');
    expect(message).toContain('line 2');
    expect(message).toContain('line 3');
    expect(message).toContain('line 4');
  });
});

describe('classifyUnmatchedRelevantKey', () => {
  const filter = createKeyFilter({ include: [], exclude: ['rejects/**'], ownPrefixes: [] });
  const classify = (key: string) => classifyUnmatchedRelevantKey(key, FARM.prefix, filter);

  it('calls a key the listing did not find missing', () => {
    expect(classify('cows/typo.jpg')).toBe('missing');
  });

  it("calls a URI or a key under the input's parent folders outside", () => {
    expect(classify('s3://other-bucket/a.jpg')).toBe('outside');
    expect(classify('projects/farm-animals-2/a.jpg')).toBe('outside');
    expect(classifyUnmatchedRelevantKey('projects/farm-animals-2/a.jpg', '', filter)).toBe('missing');
  });

  it("calls a key the dataset's filters drop skipped", () => {
    expect(classify('notes.txt')).toBe('skipped');
    expect(classify('rejects/a.jpg')).toBe('skipped');
    expect(classify('.winnow/thumbnails/a.webp')).toBe('skipped');
  });
});

describe('validateGlobs', () => {
  it('rejects an empty glob', () => {
    expect(() => validateGlobs([' '], '--include')).toThrow(/--include "" is empty|is empty/);
  });

  it('accepts ordinary globs', () => {
    expect(() => validateGlobs(['**/*.jpg', 'cows/{a,b}/*'], '--include')).not.toThrow();
  });
});

describe('hasImageExtension', () => {
  it('looks only at the last path segment', () => {
    expect(hasImageExtension('a.jpg/b')).toBe(false);
    expect(hasImageExtension('a.b/c.JPG')).toBe(true);
  });
});
