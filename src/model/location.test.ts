import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { formatLocation, normalizePrefix, parseLocation, winnowPrefix } from './location.js';

describe('parseLocation', () => {
  it('normalises an S3 prefix to end in a slash', () => {
    expect(parseLocation('s3://datalake/projects/farm-animals')).toEqual({ kind: 's3', bucket: 'datalake', prefix: 'projects/farm-animals/' });
    expect(parseLocation('s3://datalake/projects/farm-animals/')).toEqual({ kind: 's3', bucket: 'datalake', prefix: 'projects/farm-animals/' });
  });

  it('treats a bare bucket as the whole bucket', () => {
    expect(parseLocation('s3://datalake')).toEqual({ kind: 's3', bucket: 'datalake', prefix: '' });
    expect(parseLocation('s3://datalake/')).toEqual({ kind: 's3', bucket: 'datalake', prefix: '' });
  });

  it('keeps dotted bucket names', () => {
    expect(parseLocation('s3://my.data.lake/x/')).toMatchObject({ bucket: 'my.data.lake' });
  });

  it('parses local paths and file:// URIs as absolute folders', () => {
    expect(parseLocation('/data/photos')).toEqual({ kind: 'local', root: '/data/photos', prefix: '' });
    expect(parseLocation('file:///data/my%20photos')).toEqual({ kind: 'local', root: '/data/my photos', prefix: '' });
  });

  it.each([
    ['s3://', 'bucket name is missing'],
    ['s3:/datalake/x', 's3:// (two slashes)'],
    ['s3://Data_Lake/x', 'not a valid bucket name'],
    ['gs://bucket/x', 'not supported yet'],
    ['', 'empty'],
    ['s3://datalake/farm\u0000animals/', 'control character U+0000'],
    ['/data/photos\u0000/../etc', 'control character U+0000'],
    ['s3://datalake/farm\nanimals/', 'control character U+000A'],
  ])('rejects %j with a reason', (uri, reason) => {
    let caught: unknown;
    try {
      parseLocation(uri);
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught, 'LocationInvalid')).toBe(true);
    expect((caught as Error).message).toContain(reason);
  });
});

describe('prefixes', () => {
  it('never lets a prefix match its sibling', () => {
    const prefix = normalizePrefix('projects/farm-animals');
    expect('projects/farm-animals-2/cow.jpg'.startsWith(prefix)).toBe(false);
    expect('projects/farm-animals/cow.jpg'.startsWith(prefix)).toBe(true);
  });

  it('puts Winnow output under <output>/.winnow/', () => {
    const output = parseLocation('s3://datalake/projects/farm-animals/');
    expect(winnowPrefix(output)).toBe('projects/farm-animals/.winnow/');
    expect(formatLocation(output)).toBe('s3://datalake/projects/farm-animals/');
  });
});
