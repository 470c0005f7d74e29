import type { BoundStore } from './dataset-stores.js';

export interface CorsCheck {
  ok: boolean;
  origin: string;
  message: string;
  /** The bucket CORS configuration to apply (S3 console → Permissions → CORS) when the check fails. */
  configuration: Array<Record<string, unknown>> | null;
}

/**
 * Sends the preflight a browser on `origin` would send before fetching a sample from the
 * bucket. S3 answers preflights without authentication, from the bucket's CORS rules.
 */
export async function checkBucketCors(input: BoundStore, sampleKey: string, origin: string): Promise<CorsCheck> {
  const configuration = [{ AllowedOrigins: [origin], AllowedMethods: ['GET', 'HEAD'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag', 'Content-Length'], MaxAgeSeconds: 3000 }];
  const url = new URL((await input.store.presignGet(sampleKey, 60)).url);
  try {
    const response = await fetch(`${url.origin}${url.pathname}`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
      signal: AbortSignal.timeout(5_000),
    });
    const allowed = response.headers.get('access-control-allow-origin');
    if (response.ok && (allowed === '*' || allowed === origin)) return { ok: true, origin, message: `The bucket allows GET from ${origin}.`, configuration: null };
    return {
      ok: false,
      origin,
      message: `The bucket did not allow a browser GET from ${origin} (preflight answered ${response.status}${allowed ? `, Access-Control-Allow-Origin: ${allowed}` : ', no Access-Control-Allow-Origin'}). Images still show in <img> tags, but the app cannot fetch them directly. Apply this CORS configuration to the bucket.`,
      configuration,
    };
  } catch (error) {
    return { ok: false, origin, message: `The CORS preflight to ${url.origin} failed (${(error as Error).message}).`, configuration };
  }
}
