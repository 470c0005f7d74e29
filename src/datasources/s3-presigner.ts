import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { formatUrl } from '@aws-sdk/core/util';
import { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { extendedEncodeURIComponent } from '@smithy/core/protocols';
import type { HttpRequest } from '@smithy/types';
import type { SignGet } from './presigned-url-cache.js';

const PROBE_KEY = 'winnow-presign-probe';

/**
 * Presigned GETs for one bucket, about ten times faster than `getSignedUrl` per call: that
 * builds a new presigner, clones the middleware stack and resolves the endpoint for every
 * key, none of which depends on the key. One real `getSignedUrl` for a probe key gives the
 * template (scheme, host, the path before the key, the query besides the signature, the
 * signing scope); each key then costs one SDK `S3RequestPresigner.presign`. The URLs are
 * byte-for-byte what `getSignedUrl` produces (checked on 2,000 unicode keys in bench/api).
 */
export async function createPresigner(client: S3Client, bucket: string): Promise<SignGet> {
  const probe = new URL(await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: PROBE_KEY }), { expiresIn: 60 }));
  const encodedProbe = encodeKey(PROBE_KEY);
  if (!probe.pathname.endsWith(encodedProbe)) {
    // An endpoint layout we do not recognise: stay on the slow, always-right path.
    return (key, expiresIn, signingDate) => getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn, signingDate });
  }
  const pathBeforeKey = probe.pathname.slice(0, -encodedProbe.length);
  // X-Amz-Credential is `<key id>/<date>/<region>/<service>/aws4_request`.
  const scope = (probe.searchParams.get('X-Amz-Credential') ?? '').split('/');
  const signingRegion = scope.at(-3) ?? '';
  const signingService = scope.at(-2) ?? 's3';
  const baseQuery: Record<string, string> = {};
  for (const [name, value] of probe.searchParams) if (!name.startsWith('X-Amz-')) baseQuery[name] = value;
  const presigner = new S3RequestPresigner({ ...client.config, signingName: signingService, region: async () => signingRegion });
  const port = probe.port === '' ? undefined : Number(probe.port);

  return async (key, expiresIn, signingDate) => {
    const request: HttpRequest = { method: 'GET', protocol: probe.protocol, hostname: probe.hostname, port, path: `${pathBeforeKey}${encodeKey(key)}`, query: { ...baseQuery }, headers: {} };
    return formatUrl(await presigner.presign(request, { expiresIn, signingDate, signingRegion, signingService }));
  };
}

/** How the SDK serialises a greedy `{Key+}` label: each segment encoded, slashes kept. */
function encodeKey(key: string): string {
  return key.split('/').map(extendedEncodeURIComponent).join('/');
}
