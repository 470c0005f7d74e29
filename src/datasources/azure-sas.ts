/**
 * What a SAS token grants, read from its own query parameters (pure: no call is made). Winnow
 * still learns what works from real calls; this explains a refusal (which letter is missing,
 * when the token expired, what it is scoped to) and catches a pasted URL or key early.
 */
export interface SasToken {
  /** The token without a leading '?'. */
  token: string;
  /** `sp`: permission letters (r read, a add, c create, w write, d delete, l list, …); undefined with a stored access policy. */
  permissions: string | undefined;
  /** `se` */
  expiresOn: Date | undefined;
  /** `st` */
  startsOn: Date | undefined;
  /** `sr`: c container, d directory, b blob; undefined for an account SAS (`ss`/`srt`). */
  resource: string | undefined;
  /** `sdd`: how deep a directory SAS reaches. */
  directoryDepth: number | undefined;
  /** `si`: a stored access policy on the container holds the permissions and expiry. */
  storedPolicy: string | undefined;
}

/** Parses a SAS token (`sv=…&sp=…&sig=…`, with or without '?'); a string explaining the problem when it is not one. */
export function parseSasToken(value: string): SasToken | string {
  const trimmed = value.trim();
  if (/^https?:\/\//i.test(trimmed)) return 'the SAS token is a URL; give only the part after "?" (sv=…&sig=…)';
  const token = trimmed.replace(/^\?/, '');
  if (token === '' || /\s/.test(token)) return 'the SAS token must be a query string without spaces (sv=…&sp=…&sig=…)';
  const params = new URLSearchParams(token);
  if (!params.get('sig')) return 'the SAS token has no signature (sig=…); copy the whole token';
  if (!params.get('sv')) return 'the SAS token has no signed version (sv=…); copy the whole token';
  const date = (name: string) => {
    const text = params.get(name);
    if (text === null) return undefined;
    const parsed = new Date(text);
    return Number.isNaN(parsed.getTime()) ? undefined : parsed;
  };
  const depth = params.get('sdd');
  return {
    token,
    permissions: params.get('sp') ?? undefined,
    expiresOn: date('se'),
    startsOn: date('st'),
    resource: params.get('sr') ?? undefined,
    directoryDepth: depth === null ? undefined : Number(depth),
    storedPolicy: params.get('si') ?? undefined,
  };
}

/** What each SAS permission letter Winnow may need allows. */
export const SAS_LETTERS = { l: 'list', r: 'read', c: 'create', w: 'write', d: 'delete' } as const;

/** An account key is 64 bytes, base64-encoded (88 characters). */
export function accountKeyProblem(value: string): string | undefined {
  return /^[A-Za-z0-9+/]{20,}={0,2}$/.test(value.trim())
    ? undefined
    : 'the account key must be the base64 key shown under "Access keys" of the storage account';
}
