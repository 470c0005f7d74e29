import { hostname, networkInterfaces } from 'node:os';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { errorBody } from './http-errors.js';

const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]', '']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/** Whether a bind address keeps the server to this machine. */
export function isLoopbackBind(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\./.test(bare);
}

/**
 * The host names a browser may use to reach this server: loopback names, the bind address (every
 * address of this machine when bound to all), and the operator's own (reverse proxies, DNS names).
 */
export function allowedHostNames(bindHost: string, extra: readonly string[]): Set<string> {
  const names = new Set([...LOOPBACK_NAMES, ...extra.map((name) => name.replace(/^\[|\]$/g, '').toLowerCase())]);
  const bare = bindHost.replace(/^\[|\]$/g, '').toLowerCase();
  if (!WILDCARD_BINDS.has(bare)) names.add(bare);
  else {
    names.add(hostname().toLowerCase());
    for (const addresses of Object.values(networkInterfaces())) for (const address of addresses ?? []) names.add(address.address.toLowerCase());
  }
  return names;
}

/**
 * Answers only requests whose Host is one of `allowed`, so a web page whose DNS name is rebound to
 * this machine's address cannot drive the API from the user's browser (DNS rebinding).
 */
export function hostAllowList(allowed: ReadonlySet<string>): MiddlewareHandler {
  return async (c, next) => {
    const host = new URL(c.req.url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (!allowed.has(host)) {
      return c.json(
        errorBody(
          'HostNotAllowed',
          'This Winnow server does not answer to the host name in the request.',
          'The operator adds the names users reach it by to WINNOW_ALLOWED_HOSTS (or --allowed-hosts).',
        ),
        421,
      );
    }
    await next();
  };
}

/** Routes that take an image body (a "similar to this image" upload) instead of JSON. */
export const IMAGE_BODY_ROUTE = /^\/api\/datasets\/[^/]+\/similar$/;

/**
 * Refuses a body over `maxBytes` (JSON) or `imageBytes` (an image upload) with 413 before anything
 * reads or authenticates it.
 */
export function requestBodyLimit(maxBytes: number, imageBytes: number): MiddlewareHandler {
  const json = limitOf(maxBytes, 'WINNOW_API_BODY_LIMIT_KB');
  const image = limitOf(imageBytes, 'WINNOW_API_IMAGE_LIMIT_MB');
  return (c, next) => (IMAGE_BODY_ROUTE.test(c.req.path) ? image(c, next) : json(c, next));
}

function limitOf(maxBytes: number, setting: string): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      c.json(
        errorBody(
          'RequestTooLarge',
          `The request body is larger than ${Math.round(maxBytes / 1024).toLocaleString('en-US')} KiB.`,
          `Send less at once; the operator sets the limit with ${setting}.`,
        ),
        413,
      ),
  });
}

/** A request that carries a body must say it is JSON (or an image, on the image routes): the API reads nothing else. */
export function requireJsonBody(imageTypes: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    const hasBody = c.req.header('transfer-encoding') !== undefined || Number(c.req.header('content-length') ?? '0') > 0;
    const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (IMAGE_BODY_ROUTE.test(c.req.path)) {
      if (type === undefined || !imageTypes.includes(type))
        return c.json(
          errorBody('UnsupportedMediaType', 'The request body must be an image.', `Send the image's bytes with its type (${imageTypes.join(', ')}).`),
          415,
        );
    } else if (hasBody && type !== 'application/json') {
      return c.json(errorBody('UnsupportedMediaType', 'The request body must be JSON.', 'Send `Content-Type: application/json` with a JSON body.'), 415);
    }
    await next();
  };
}

/**
 * Headers for every answer: a content security policy that loads scripts only from this server and
 * images also from the buckets' presigned URLs (any endpoint), no framing, no sniffing, no referrer
 * (the sign-in link carries a secret in its query).
 */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      // The embedding map draws with regl, which compiles its WebGL commands with new Function(): no eval, no map.
      // Scripts still load from this server only; nothing the app renders is ever passed to eval.
      scriptSrc: ["'self'", "'unsafe-eval'"],
      // React sets inline styles (grid positions), and Swagger UI injects a few.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:', 'https:', 'http:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    referrerPolicy: 'no-referrer',
    xFrameOptions: 'DENY',
    xContentTypeOptions: 'nosniff',
    // Images are shown in <img> tags of this origin only; a stricter policy costs nothing.
    crossOriginResourcePolicy: 'same-origin',
    strictTransportSecurity: false,
  });
}
