import { describe, expect, it } from 'vitest';
import { checkRequestTime, checkSignature, parseSigV4, type RawRequest, S3AuthError, uriEncode } from './sigv4.js';

// The worked examples from the S3 API reference ("Signature Calculations for the
// Authorization Header" and "Authenticating Requests: Using Query Parameters").
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const headerSignedGet: RawRequest = {
  method: 'GET',
  rawPath: '/test.txt',
  rawQuery: '',
  rawHeaders: [
    'Host',
    'examplebucket.s3.amazonaws.com',
    'Range',
    'bytes=0-9',
    'x-amz-content-sha256',
    EMPTY_SHA256,
    'x-amz-date',
    '20130524T000000Z',
    'Authorization',
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  ],
};

const presignedGet: RawRequest = {
  method: 'GET',
  rawPath: '/test.txt',
  rawQuery: [
    'X-Amz-Algorithm=AWS4-HMAC-SHA256',
    'X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request',
    'X-Amz-Date=20130524T000000Z',
    'X-Amz-Expires=86400',
    'X-Amz-SignedHeaders=host',
    'X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
  ].join('&'),
  rawHeaders: ['Host', 'examplebucket.s3.amazonaws.com'],
};

describe('SigV4 verification', () => {
  it('verifies the header-signed example from the S3 documentation', () => {
    const auth = parseSigV4(headerSignedGet);
    expect(auth?.scope).toEqual({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', date: '20130524', region: 'us-east-1', service: 's3' });
    expect(checkSignature(headerSignedGet, auth!, SECRET).matches).toBe(true);
    expect(checkSignature(headerSignedGet, auth!, 'wrong').matches).toBe(false);
  });

  it('verifies the presigned-URL example from the S3 documentation', () => {
    const auth = parseSigV4(presignedGet);
    expect(auth).toMatchObject({ form: 'query', expiresInSeconds: 86400, payloadHash: 'UNSIGNED-PAYLOAD' });
    expect(checkSignature(presignedGet, auth!, SECRET).matches).toBe(true);
  });

  it('signs the path as sent, without encoding it again', () => {
    const encodedPath = { ...headerSignedGet, rawPath: '/a%20b/%E7%8C%AB' };
    const canonicalUri = checkSignature(encodedPath, parseSigV4(encodedPath)!, SECRET).canonicalRequest.split('\n')[1];
    expect(canonicalUri).toBe('/a%20b/%E7%8C%AB');
  });

  it('sorts and RFC 3986-encodes the canonical query string', () => {
    const listing = { ...headerSignedGet, rawPath: '/bucket', rawQuery: 'prefix=a%20b%2F&list-type=2&delete&x=%21%2A' };
    const canonicalQuery = checkSignature(listing, parseSigV4(listing)!, SECRET).canonicalRequest.split('\n')[2];
    expect(canonicalQuery).toBe('delete=&list-type=2&prefix=a%20b%2F&x=%21%2A');
  });

  it('rejects an expired presigned URL and accepts one within its lifetime', () => {
    const auth = parseSigV4(presignedGet)!;
    expect(() => checkRequestTime(auth, new Date('2013-05-24T23:59:59Z'))).not.toThrow();
    expect(() => checkRequestTime(auth, new Date('2013-05-25T00:00:01Z'))).toThrow(
      expect.objectContaining({ code: 'AccessDenied', message: 'Request has expired' }),
    );
  });

  it('rejects a header-signed request far from the server clock', () => {
    const auth = parseSigV4(headerSignedGet)!;
    expect(() => checkRequestTime(auth, new Date('2013-05-24T00:20:00Z'))).toThrow(S3AuthError);
  });

  it('treats a request without Authorization header or X-Amz-Algorithm as anonymous', () => {
    expect(parseSigV4({ method: 'GET', rawPath: '/b/k', rawQuery: '', rawHeaders: ['Host', 'h'] })).toBeUndefined();
  });

  it('encodes the characters encodeURIComponent leaves alone', () => {
    expect(uriEncode("!'()*~-_. /+")).toBe('%21%27%28%29%2A~-_.%20%2F%2B');
  });
});
