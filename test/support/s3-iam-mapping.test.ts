import { describe, expect, it } from 'vitest';
import { iamRequirementsFor, parseDeleteKeys, parsePathStyle, type S3Request } from './s3-iam-mapping.js';

function request(method: string, rawPath: string, query: Record<string, string> = {}, headers: S3Request['headers'] = {}): S3Request {
  return { method, ...parsePathStyle(rawPath), query, headers };
}

describe('S3 request → IAM requirement mapping', () => {
  it.each([
    ['GET', '/', {}, 's3:ListAllMyBuckets', '*'],
    ['HEAD', '/b', {}, 's3:ListBucket', 'arn:aws:s3:::b'],
    ['GET', '/b', { location: '' }, 's3:GetBucketLocation', 'arn:aws:s3:::b'],
    ['GET', '/b', { cors: '' }, 's3:GetBucketCORS', 'arn:aws:s3:::b'],
    ['PUT', '/b', { cors: '' }, 's3:PutBucketCORS', 'arn:aws:s3:::b'],
    ['GET', '/b/k', {}, 's3:GetObject', 'arn:aws:s3:::b/k'],
    ['HEAD', '/b/k', {}, 's3:GetObject', 'arn:aws:s3:::b/k'],
    ['PUT', '/b/k', {}, 's3:PutObject', 'arn:aws:s3:::b/k'],
    ['DELETE', '/b/k', {}, 's3:DeleteObject', 'arn:aws:s3:::b/k'],
    ['POST', '/b/k', { uploads: '' }, 's3:PutObject', 'arn:aws:s3:::b/k'],
    ['PUT', '/b/k', { partNumber: '1', uploadId: 'u' }, 's3:PutObject', 'arn:aws:s3:::b/k'],
    ['POST', '/b/k', { uploadId: 'u' }, 's3:PutObject', 'arn:aws:s3:::b/k'],
    ['DELETE', '/b/k', { uploadId: 'u' }, 's3:AbortMultipartUpload', 'arn:aws:s3:::b/k'],
    ['PATCH', '/b/k', {}, 's3:Unknown', 'arn:aws:s3:::b/k'],
  ])('%s %s %o → %s on %s', (method, path, query, action, resource) => {
    expect(iamRequirementsFor(request(method, path, query))[0]).toMatchObject({ action, resource });
  });

  it('gives listings their s3:prefix, s3:delimiter and s3:max-keys context', () => {
    const [listing] = iamRequirementsFor(request('GET', '/b', { 'list-type': '2', prefix: 'p/', delimiter: '/', 'max-keys': '10' }));
    expect(listing?.context).toEqual({ 's3:prefix': 'p/', 's3:delimiter': '/', 's3:max-keys': '10' });
  });

  it('treats a listing without prefix as s3:prefix ""', () => {
    expect(iamRequirementsFor(request('GET', '/b', { 'list-type': '2' }))[0]?.context).toEqual({ 's3:prefix': '' });
  });

  it('decodes the key once for the resource ARN', () => {
    const [get] = iamRequirementsFor(request('GET', '/b/p/%C3%A7%20%2B%20%25%20%23%20x.jpg'));
    expect(get?.resource).toBe('arn:aws:s3:::b/p/ç + % # x.jpg');
  });

  it('needs GetObject on the source of a copy', () => {
    const requirements = iamRequirementsFor(request('PUT', '/b/dest', {}, { 'x-amz-copy-source': '/src/a%20b.jpg?versionId=1' }));
    expect(requirements.map(({ action, resource }) => [action, resource])).toEqual([
      ['s3:PutObject', 'arn:aws:s3:::b/dest'],
      ['s3:GetObject', 'arn:aws:s3:::src/a b.jpg'],
    ]);
  });

  it('needs DeleteObject on every key of a multi-object delete', () => {
    const keys = parseDeleteKeys('<Delete><Object><Key>a&amp;b</Key></Object><Object><Key>c</Key></Object></Delete>');
    const requirements = iamRequirementsFor({ ...request('POST', '/b', { delete: '' }), deleteKeys: keys });
    expect(requirements.map((r) => r.resource)).toEqual(['arn:aws:s3:::b/a&b', 'arn:aws:s3:::b/c']);
  });
});
