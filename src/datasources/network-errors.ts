const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** The socket error code (ECONNREFUSED, ENOTFOUND, …) somewhere in an SDK error's causes, if any. */
export function findNetworkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      const nested = errors.map(findNetworkCode).find((found) => found !== undefined);
      if (nested) return nested;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Throttling and the server errors that pass (the statuses the AWS SDK retries): the same call may well work later. */
const PASSING_STATUSES = new Set([429, 500, 502, 503, 504]);

export function isPassingStatus(status: number | undefined): boolean {
  return status !== undefined && PASSING_STATUSES.has(status);
}
