import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { describeError } from '../errors.js';
import type { BoundStore } from './bound-store.js';
import { checkEndpointUrl, guardedLookup, type EndpointRules } from './endpoint-guard.js';

const PREFLIGHT_TIMEOUT_MS = 5_000;

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
export async function checkBucketCors(input: BoundStore, sampleKey: string, origin: string, rules: EndpointRules): Promise<CorsCheck> {
  const configuration = [
    { AllowedOrigins: [origin], AllowedMethods: ['GET', 'HEAD'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag', 'Content-Length'], MaxAgeSeconds: 3000 },
  ];
  const url = new URL((await input.store.presignGet(sampleKey, 60)).url);
  try {
    checkEndpointUrl(url.origin, rules);
    const response = await preflight(url, origin, rules);
    const allowed = response.allowOrigin;
    if (response.ok && (allowed === '*' || allowed === origin))
      return { ok: true, origin, message: `The bucket allows GET from ${origin}.`, configuration: null };
    return {
      ok: false,
      origin,
      message: `The bucket did not allow a browser GET from ${origin} (preflight answered ${response.status}${allowed ? `, Access-Control-Allow-Origin: ${allowed}` : ', no Access-Control-Allow-Origin'}). Nothing in Winnow's app needs it today: the grid, the map's previews and the detail view load images through <img> tags, which work without CORS. Only scripts that read an image's bytes in the browser (fetch, canvas pixels, your own tools on this origin) are blocked; apply this CORS configuration to the bucket if you want those.`,
      configuration,
    };
  } catch (error) {
    return { ok: false, origin, message: `The CORS preflight to ${url.origin} failed (${describeError(error)}).`, configuration };
  }
}

/** One OPTIONS request through the endpoint guard, with connect and answer timeouts; redirects are not followed. */
function preflight(url: URL, origin: string, rules: EndpointRules): Promise<{ ok: boolean; status: number; allowOrigin: string | undefined }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
        lookup: guardedLookup(rules),
        timeout: PREFLIGHT_TIMEOUT_MS,
        signal: AbortSignal.timeout(PREFLIGHT_TIMEOUT_MS),
      },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        const header = response.headers['access-control-allow-origin'];
        resolve({ ok: status >= 200 && status < 300, status, allowOrigin: Array.isArray(header) ? header[0] : header });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${PREFLIGHT_TIMEOUT_MS / 1000} s`)));
    request.on('error', reject);
    request.end();
  });
}
