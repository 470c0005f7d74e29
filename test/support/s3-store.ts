import { createS3ObjectStore, type S3StoreOptions } from '../../src/datasources/s3.object-store.js';

/** Options of an S3 store talking to a local s3rver (or proxy) as its built-in user, for adapter tests. */
export function localS3StoreOptions(endpoint: string, overrides: Partial<S3StoreOptions> = {}): S3StoreOptions {
  return {
    bucket: 'photos',
    region: 'us-east-1',
    endpoint,
    pathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    identity: 'S3RVER',
    sseKmsKeyId: undefined,
    writablePrefix: undefined,
    maxAttempts: 1,
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 5_000,
    callDeadlineMs: 30_000,
    // The CLI's rules: s3rver listens on loopback.
    endpointRules: { privateAddresses: true, linkLocalAddresses: false },
    ...overrides,
  };
}

export function createLocalS3Store(endpoint: string, overrides: Partial<S3StoreOptions> = {}) {
  return createS3ObjectStore(localS3StoreOptions(endpoint, overrides));
}
