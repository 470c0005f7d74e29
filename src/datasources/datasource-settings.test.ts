import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { validateConnection, type ConnectionSettings } from './datasource-settings.js';

const RULES = { privateAddresses: true, linkLocalAddresses: false };
const SAS = 'sv=2025-01-05&sr=c&sp=rl&se=2027-01-01T00:00:00Z&sig=abc';
const KEYS = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' };

function problems(settings: ConnectionSettings): string {
  try {
    validateConnection(settings, 'input', RULES);
  } catch (error) {
    if (isAppError(error)) return error.message;
    throw error;
  }
  return '';
}

describe('presets', () => {
  it('fills in R2\'s endpoint from the account id, with path style and the region "auto"', () => {
    const connection = validateConnection({ uri: 's3://photos/raw/', preset: 'r2', accountId: '0123456789abcdef0123456789abcdef', ...KEYS }, 'input', RULES);
    expect(connection).toMatchObject({
      endpoint: 'https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com',
      pathStyle: true,
      region: 'auto',
      preset: 'r2',
    });
  });

  it('fills in the regional endpoints of Wasabi and Backblaze B2', () => {
    expect(validateConnection({ uri: 's3://photos/', preset: 'wasabi', region: 'eu-central-1', ...KEYS }, 'input', RULES).endpoint).toBe(
      'https://s3.eu-central-1.wasabisys.com',
    );
    expect(validateConnection({ uri: 's3://photos/', preset: 'b2', region: 'us-west-004', ...KEYS }, 'input', RULES).endpoint).toBe(
      'https://s3.us-west-004.backblazeb2.com',
    );
  });

  it('lets an explicit endpoint and path style win over the preset', () => {
    const connection = validateConnection(
      { uri: 's3://photos/', preset: 'r2', endpoint: 'https://acc.eu.r2.cloudflarestorage.com', pathStyle: false, ...KEYS },
      'input',
      RULES,
    );
    expect(connection).toMatchObject({ endpoint: 'https://acc.eu.r2.cloudflarestorage.com', pathStyle: false });
  });

  it('uses the gcs preset for gs:// locations', () => {
    const connection = validateConnection({ uri: 'gs://photos/raw/', accessKeyId: 'GOOG1EXAMPLE', secretAccessKey: 'secret' }, 'input', RULES);
    expect(connection).toMatchObject({ endpoint: 'https://storage.googleapis.com', pathStyle: true, region: 'auto', preset: 'gcs' });
  });

  it.each([
    [{ uri: 's3://photos/', preset: 'r2' }, 'needs the account id'],
    [{ uri: 's3://photos/', preset: 'minio' }, 'give its address with --endpoint'],
    [{ uri: 's3://photos/', preset: 'b2' }, "needs the bucket's region"],
    [{ uri: 's3://photos/', preset: 'r2', accountId: 'abc', region: 'us-east-1' }, 'signs with region "auto" only'],
    [{ uri: 's3://photos/', preset: 'wasabi', sseKmsKeyId: 'alias/winnow' }, 'Wasabi does not support SSE-KMS'],
    [{ uri: 's3://photos/', preset: 'seaweed' }, 'is not known'],
    [{ uri: 's3://photos/', accountId: 'abc' }, '--account-id goes with a preset'],
    [{ uri: 's3://photos/', preset: 'gcs' }, 'written gs://bucket/prefix/'],
    [{ uri: 'gs://photos/' }, 'needs the HMAC key'],
    [{ uri: 'gs://photos/', preset: 'r2', ...KEYS }, 'does not apply to a gs:// location'],
    [{ uri: 'azure://acct/images/', preset: 'minio', sasToken: SAS }, 'is for s3:// locations'],
  ])('refuses %j', (settings, reason) => {
    expect(problems(settings as ConnectionSettings)).toContain(reason);
  });
});

describe('Azure locations', () => {
  it('takes a SAS token (with or without "?") or the account key', () => {
    expect(validateConnection({ uri: 'azure://acct/images/farm/', sasToken: `?${SAS}` }, 'input', RULES).azure).toEqual({ kind: 'sas', token: SAS });
    expect(validateConnection({ uri: 'azure://acct/images/', accountKey: 'a2V5a2V5a2V5a2V5a2V5a2V5a2V5' }, 'input', RULES).azure).toEqual({
      kind: 'shared-key',
      accountKey: 'a2V5a2V5a2V5a2V5a2V5a2V5a2V5',
    });
  });

  it.each([
    [{ uri: 'azure://acct/images/' }, 'needs a SAS token'],
    [{ uri: 'azure://acct/images/', sasToken: SAS, accountKey: 'a2V5a2V5a2V5a2V5a2V5a2V5a2V5' }, 'not both'],
    [{ uri: 'azure://acct/images/', sasToken: 'https://acct.blob.core.windows.net/images?sv=1&sig=x' }, 'is a URL'],
    [{ uri: 'azure://acct/images/', sasToken: SAS, ...KEYS, region: 'eu-west-1' }, '--region, --access-key-id, a secret access key are for S3 locations'],
    [{ uri: 's3://photos/', sasToken: SAS }, 'only for azure:// locations'],
  ])('refuses %j', (settings, reason) => {
    expect(problems(settings as ConnectionSettings)).toContain(reason);
  });

  it('checks an Azure endpoint with the endpoint guard', () => {
    let code: string | undefined;
    try {
      validateConnection({ uri: 'azure://acct/images/', sasToken: SAS, endpoint: 'http://169.254.169.254/' }, 'input', RULES);
    } catch (error) {
      code = isAppError(error) ? error.code : undefined;
    }
    expect(code).toBe('EndpointRefused');
  });
});
