import type { BoundStore } from './bound-store.js';
import type { PresignedUrl } from './object-store.js';

/** Where a browser fetches a sample's bytes: a presigned URL, or Winnow's own file route (local folders, Azure SAS-token datasets). */
export type SampleUrlFor = (relativeKey: string) => Promise<PresignedUrl>;

export function sampleUrlSigner(
  location: BoundStore,
  options: { ttlSeconds: number; minRemainingSeconds?: number; fileRouteUrl: (relativeKey: string) => string },
): SampleUrlFor {
  if (location.browserUrls === 'served') return async (relativeKey) => ({ url: options.fileRouteUrl(relativeKey), validUntil: Infinity });
  return (relativeKey) => location.store.presignGet(`${location.prefix}${relativeKey}`, options.ttlSeconds, options.minRemainingSeconds);
}

/** Encodes each path segment once, so `a b/ç#1.jpg` becomes `a%20b/%C3%A7%231.jpg` and never double-encodes. */
export function encodeKeyPath(relativeKey: string): string {
  return relativeKey.split('/').map(encodeURIComponent).join('/');
}
