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

  it('parses Google Cloud Storage and Azure Blob locations', () => {
    expect(parseLocation('gs://my_images/raw/cows')).toEqual({ kind: 'gcs', bucket: 'my_images', prefix: 'raw/cows/' });
    expect(parseLocation('azure://devstoreaccount1/images/farm/cows')).toEqual({
      kind: 'azure',
      account: 'devstoreaccount1',
      container: 'images',
      prefix: 'farm/cows/',
    });
    expect(parseLocation('azure://acct/images')).toEqual({ kind: 'azure', account: 'acct', container: 'images', prefix: '' });
    expect(formatLocation(parseLocation('azure://acct/images/farm'))).toBe('azure://acct/images/farm/');
    expect(formatLocation(parseLocation('gs://bucket/farm'))).toBe('gs://bucket/farm/');
  });

  it('parses local paths and file:// URIs as absolute folders', () => {
    expect(parseLocation('/data/photos')).toEqual({ kind: 'local', root: '/data/photos', prefix: '' });
    expect(parseLocation('file:///data/my%20photos')).toEqual({ kind: 'local', root: '/data/my photos', prefix: '' });
  });

  it('refuses a file:// URI with a malformed %-escape as bad input, not a crash', () => {
    expect(() => parseLocation('file://%')).toThrow(/malformed %-escape/);
  });

  it.each([
    ['s3://', 'bucket name is missing'],
    ['s3:/datalake/x', 's3:// (two slashes)'],
    ['s3://Data_Lake/x', 'not a valid bucket name'],
    ['ftp://bucket/x', 'scheme ftp:// is not supported'],
    ['gs://Bucket/x', 'not a valid Cloud Storage bucket name'],
    ['azure://acct', 'names the storage account and the container'],
    ['azure://My-Account/images/', 'not a valid storage account name'],
    ['azure://acct/my--images/', 'not a valid container name'],
    ['azure://acct/Images/', 'not a valid container name'],
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
