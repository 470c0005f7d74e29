import { describe, expect, it } from 'vitest';
import { translateAzureError, type AzureCallContext } from './azure-errors.js';
import { parseSasToken, type SasToken } from './azure-sas.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const sas = (query: string) => parseSasToken(query) as SasToken;
const context = (overrides: Partial<AzureCallContext> = {}): AzureCallContext => ({
  operation: 'List Blobs',
  account: 'acct',
  container: 'images',
  key: 'farm/',
  endpoint: 'https://acct.blob.core.windows.net',
  sas: sas('sv=2025-01-05&sr=c&sp=rl&se=2027-01-01T00:00:00Z&sig=abc'),
  now: NOW,
  ...overrides,
});
/** What the SDK throws for a Blob service error (RestError's fields). */
const restError = (errorCode: string, statusCode = 403, authenticationErrorDetail?: string) =>
  Object.assign(new Error(`${errorCode} message`), { name: 'RestError', code: errorCode, statusCode, details: { errorCode, authenticationErrorDetail } });

describe('translateAzureError', () => {
  it("treats Azure's AuthenticationFailed for an expired SAS as expired credentials", () => {
    const error = translateAzureError(
      restError('AuthenticationFailed', 403, 'Signed expiry time [Mon, 30 Nov 2026] must be after signed start time'),
      context({ sas: sas('sv=2025-01-05&sr=c&sp=rl&se=2026-11-30T00:00:00Z&sig=abc') }),
    );
    expect(error.code).toBe('DatasourceCredentialsExpired');
    expect(error.message).toContain('expired at 2026-11-30T00:00:00.000Z');
  });

  it('explains a signature that does not match as a token scoped elsewhere', () => {
    const error = translateAzureError(restError('AuthenticationFailed', 403, 'Signature did not match. String to sign used was rl'), context());
    expect(error.code).toBe('DatasourceAccessDenied');
    expect(error.message).toContain('Signature did not match');
    expect(error.message).toContain('scoped to another container or directory');
  });

  it('reads a stored access policy token without guessing its letters', () => {
    const error = translateAzureError(restError('AuthorizationPermissionMismatch'), context({ sas: sas('sv=2025-01-05&sr=c&si=winnow-read&sig=abc') }));
    expect(error.message).toContain('stored access policy "winnow-read"');
    expect(error.hint).toContain('stored access policy "winnow-read"');
  });

  it('calls a refused account key a signature mismatch', () => {
    expect(translateAzureError(restError('AuthenticationFailed'), context({ sas: undefined })).code).toBe('DatasourceSignatureMismatch');
  });

  it('never keeps the SDK error, whose request URL carries the token', () => {
    const error = translateAzureError(restError('AuthorizationPermissionMismatch'), context());
    expect(String((error.cause as Error).message)).not.toContain('sig=');
    expect(JSON.stringify(error.details)).not.toContain('sig=');
  });

  it('reports an unreachable endpoint', () => {
    const network = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(translateAzureError(network, context()).code).toBe('DatasourceUnreachable');
  });

  it('tells throttling and server errors, which may pass, from requests the account refuses', () => {
    const busy = translateAzureError(restError('ServerBusy', 503), context({ operation: 'Get Blob', key: 'farm/cow.jpg' }));
    expect(busy.code).toBe('DatasourceUnavailable');
    expect(busy.message).toBe('Azure Get Blob of azure://acct/images/farm/cow.jpg failed with ServerBusy (HTTP 503): ServerBusy message.');
    expect(busy.hint).toContain('the next run tries this blob again');
    expect(translateAzureError(restError('InternalError', 500), context()).code).toBe('DatasourceUnavailable');
    expect(translateAzureError(restError('InvalidUri', 400), context()).code).toBe('DatasourceError');
  });
});

describe('parseSasToken', () => {
  it('reads the permissions, expiry and scope of a token with or without "?"', () => {
    const token = sas('?sv=2025-01-05&sr=d&sdd=2&sp=rl&st=2026-01-01T00:00:00Z&se=2027-01-01T00:00:00Z&sig=abc%3D');
    expect(token).toMatchObject({
      token: 'sv=2025-01-05&sr=d&sdd=2&sp=rl&st=2026-01-01T00:00:00Z&se=2027-01-01T00:00:00Z&sig=abc%3D',
      permissions: 'rl',
      resource: 'd',
      directoryDepth: 2,
    });
    expect(token.expiresOn?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it.each([
    ['https://acct.blob.core.windows.net/images?sv=1&sig=x', 'is a URL'],
    ['sv=2025-01-05&sp=rl', 'no signature'],
    ['sp=rl&sig=abc', 'no signed version'],
    ['sv=1&sig=a b', 'without spaces'],
  ])('explains why %j is not a token', (value, reason) => {
    expect(parseSasToken(value)).toContain(reason);
  });
});
