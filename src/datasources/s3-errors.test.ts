import { describe, expect, it } from 'vitest';
import { translateS3Error } from './s3-errors.js';

const listing = {
  operation: 'ListObjectsV2' as const,
  bucket: 'datalake',
  key: 'projects/farm-animals/',
  accessKeyId: 'AKIATESTKEY',
  endpoint: 'http://s3.test',
};

function s3Error(name: string, status: number, message = '') {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

describe('translateS3Error', () => {
  it('names the IAM action, resource and prefix for a denied listing', () => {
    const error = translateS3Error(s3Error('AccessDenied', 403), listing);
    expect(error.code).toBe('DatasourceAccessDenied');
    expect(error.message).toContain('s3:ListBucket on arn:aws:s3:::datalake for prefix "projects/farm-animals/"');
    expect(error.hint).toContain('s3:prefix');
    expect(error.details).toMatchObject({ action: 's3:ListBucket', s3Code: 'AccessDenied', httpStatus: 403 });
  });

  it('names the object ARN for a denied read', () => {
    const error = translateS3Error(s3Error('AccessDenied', 403), { ...listing, operation: 'GetObject', key: 'projects/farm-animals/cow.jpg' });
    expect(error.message).toContain('s3:GetObject on arn:aws:s3:::datalake/projects/farm-animals/cow.jpg');
    expect(error.hint).toContain('arn:aws:s3:::datalake/projects/farm-animals/*');
  });

  it("names Cloud Storage permissions and gs:// resources for GCS's XML API", () => {
    const gcs = { ...listing, flavor: 'gcs' as const, accessKeyId: 'GOOG1EXAMPLE' };
    const list = translateS3Error(s3Error('AccessDenied', 403), gcs);
    expect(list.message).toBe(
      'Cloud Storage (XML API) ListObjectsV2 on gs://datalake/projects/farm-animals/ was denied (AccessDenied): the service account of HMAC key GOOG1EXAMPLE lacks storage.objects.list on gs://datalake for prefix "projects/farm-animals/".',
    );
    expect(list.hint).toContain('winnow policy generate --input gs://datalake/');
    expect(list.details).toMatchObject({ action: 'storage.objects.list', resource: 'gs://datalake/' });
    const write = translateS3Error(s3Error('AccessDenied', 403), { ...gcs, operation: 'PutObject', key: 'projects/farm-animals/.winnow/x' });
    expect(write.message).toContain(
      'lacks storage.objects.create on gs://datalake/projects/farm-animals/.winnow/x (overwriting an existing object also needs storage.objects.delete)',
    );
    expect(translateS3Error(s3Error('NoSuchBucket', 404), gcs).hint).toContain('gs:// location');
  });

  it('names the access key id, never a secret, for a signature mismatch', () => {
    const error = translateS3Error(s3Error('SignatureDoesNotMatch', 403), listing);
    expect(error.code).toBe('DatasourceSignatureMismatch');
    expect(error.message).toContain('AKIATESTKEY');
  });

  it('tells throttling and server errors, which may pass, from requests the storage refuses', () => {
    const read = { ...listing, operation: 'GetObject' as const, key: 'projects/farm-animals/cow.jpg' };
    const throttled = translateS3Error(s3Error('SlowDown', 503, 'Please reduce your request rate.'), read);
    expect(throttled.code).toBe('DatasourceUnavailable');
    expect(throttled.message).toBe(
      'S3 GetObject of s3://datalake/projects/farm-animals/cow.jpg failed with SlowDown (HTTP 503): Please reduce your request rate.',
    );
    expect(throttled.hint).toContain('the next run tries this object again');
    expect(translateS3Error(s3Error('InternalError', 500), read).code).toBe('DatasourceUnavailable');
    expect(translateS3Error(s3Error('TooManyRequests', 429), read).code).toBe('DatasourceUnavailable');
    expect(translateS3Error(s3Error('InvalidRange', 416), read).code).toBe('DatasourceError');
    expect(translateS3Error(s3Error('NotImplemented', 501), read).code).toBe('DatasourceError');
  });

  it('reports an unreachable endpoint from a nested network error', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const error = translateS3Error(Object.assign(new Error('fetch failed'), { cause }), listing);
    expect(error.code).toBe('DatasourceUnreachable');
    expect(error.message).toContain('http://s3.test');
  });

  it('tells the region to use when the bucket lives elsewhere', () => {
    const vendor = Object.assign(s3Error('PermanentRedirect', 301), { $response: { headers: { 'x-amz-bucket-region': 'eu-west-1' } } });
    expect(translateS3Error(vendor, listing).hint).toBe('Pass --region eu-west-1.');
  });

  it('blames KMS when an SSE-KMS write is denied by the key', () => {
    const error = translateS3Error(s3Error('AccessDenied', 403, 'User is not authorized to perform kms:GenerateDataKey'), {
      ...listing,
      operation: 'PutObject',
      key: 'p/.winnow/x',
      sseKmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/abc',
    });
    expect(error.code).toBe('DatasourceKmsDenied');
    expect(error.hint).toContain('kms:GenerateDataKey');
  });
});
