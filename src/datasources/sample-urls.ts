import type { BoundStore } from './bound-store.js';
import type { PresignedUrl } from './object-store.js';

/** Where a browser fetches a sample's bytes: a presigned S3 URL, or Winnow's own file route for local folders. */
export type SampleUrlFor = (relativeKey: string) => Promise<PresignedUrl>;

export function sampleUrlSigner(location: BoundStore, options: { ttlSeconds: number; minRemainingSeconds?: number; localFileUrl: (relativeKey: string) => string }): SampleUrlFor {
  if (location.location.kind === 'local') return async (relativeKey) => ({ url: options.localFileUrl(relativeKey), validUntil: Infinity });
  return (relativeKey) => location.store.presignGet(`${location.prefix}${relativeKey}`, options.ttlSeconds, options.minRemainingSeconds);
}

/** Encodes each path segment once, so `a b/ç#1.jpg` becomes `a%20b/%C3%A7%231.jpg` and never double-encodes. */
export function encodeKeyPath(relativeKey: string): string {
  return relativeKey.split('/').map(encodeURIComponent).join('/');
}
