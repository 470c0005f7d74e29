/**
 * Prototype of a faster `presignGet` for src/datasources/s3.object-store.ts: the AWS SDK still
 * signs every URL, but the per-call work that does not depend on the key is done once per store.
 *
 * `getSignedUrl` builds a new S3RequestPresigner (and SignatureV4) on every call, clones the
 * client's middleware stack, resolves the endpoint through the rule engine and serialises the
 * command. None of that depends on the key. Here one real `getSignedUrl` call for a probe key
 * gives the template (scheme, host, port, the path before the key, the non-signature query,
 * the signing region and service); each key then only needs its path and one
 * `S3RequestPresigner.presign`, reused across calls.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { formatUrl } from '@aws-sdk/core/util';
import { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { extendedEncodeURIComponent } from '@smithy/core/protocols';
import type { HttpRequest } from '@smithy/types';

const PROBE_KEY = 'winnow-presign-probe';

export type PresignGet = (key: string, expiresIn: number, signingDate?: Date) => Promise<string>;

/** How the SDK's serialiser writes a greedy `{Key+}` label: each segment encoded, slashes kept. */
function encodeKey(key: string): string {
  return key.split('/').map(extendedEncodeURIComponent).join('/');
}

export async function createFastPresigner(client: S3Client, bucket: string): Promise<PresignGet> {
  const probe = new URL(await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: PROBE_KEY }), { expiresIn: 60 }));
  const encodedProbe = encodeKey(PROBE_KEY);
  if (!probe.pathname.endsWith(encodedProbe)) throw new Error(`unexpected presigned path ${probe.pathname}`);
  const pathBeforeKey = probe.pathname.slice(0, -encodedProbe.length);
  // X-Amz-Credential is `<key id>/<date>/<region>/<service>/aws4_request`.
  const scope = (probe.searchParams.get('X-Amz-Credential') ?? '').split('/');
  const signingRegion = scope.at(-3);
  const signingService = scope.at(-2);
  if (signingRegion === undefined || signingService === undefined) throw new Error('presigned URL without a credential scope');
  // What the serialiser adds besides the signature (today `x-id=GetObject`).
  const baseQuery: Record<string, string> = {};
  for (const [name, value] of probe.searchParams) if (!name.startsWith('X-Amz-')) baseQuery[name] = value;

  const presigner = new S3RequestPresigner({ ...client.config, signingName: signingService, region: async () => signingRegion });
  const protocol = probe.protocol;
  const hostname = probe.hostname;
  const port = probe.port === '' ? undefined : Number(probe.port);

  return async (key, expiresIn, signingDate) => {
    const request: HttpRequest = { method: 'GET', protocol, hostname, port, path: `${pathBeforeKey}${encodeKey(key)}`, query: { ...baseQuery }, headers: {} };
    const signed = await presigner.presign(request, { expiresIn, signingRegion, signingService, ...(signingDate ? { signingDate } : {}) });
    return formatUrl(signed);
  };
}
