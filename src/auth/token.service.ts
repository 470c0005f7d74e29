import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Context } from '../context.js';
import { AppError } from '../errors.js';
import {
  deleteApiToken,
  deleteSession,
  findApiTokenByHash,
  findApiTokenByName,
  findLiveSession,
  insertApiToken,
  insertSession,
  listApiTokens,
  touchApiToken,
} from './token.repository.js';

export type AuthDeps = Pick<Context, 'database' | 'clock'>;

const TOKEN_PREFIX = 'wnw_';
export const SESSION_LIFETIME_MS = 7 * 24 * 3_600_000;
const LAST_USED_PRECISION_MS = 60_000;

export interface TokenView {
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Creates an API token; the plaintext is returned once and only its hash is stored. */
export async function createApiToken(deps: AuthDeps, name: string): Promise<{ token: string; view: TokenView }> {
  if (!/^[\w.@-]{1,64}$/.test(name)) throw new AppError('InputInvalid', `"${name}" is not a valid token name.`, { hint: 'Use 1-64 letters, digits, ".", "@", "_" or "-".' });
  if (await findApiTokenByName(deps.database.db, name)) {
    throw new AppError('InputInvalid', `A token named "${name}" already exists.`, { hint: `Revoke it first with \`winnow token revoke ${name}\` or pick another name.` });
  }
  const token = newSecret(TOKEN_PREFIX);
  const now = deps.clock().toISOString();
  await insertApiToken(deps.database.db, { id: randomUUID(), name, token_hash: hashSecret(token), created_at: now, last_used_at: null });
  return { token, view: { name, createdAt: now, lastUsedAt: null } };
}

export async function listTokens(deps: AuthDeps): Promise<TokenView[]> {
  return (await listApiTokens(deps.database.db)).map((row) => ({ name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at }));
}

export async function revokeApiToken(deps: AuthDeps, name: string): Promise<void> {
  if ((await deleteApiToken(deps.database.db, name)) === 0) throw new AppError('InputInvalid', `No token named "${name}".`);
}

/** The token's id when `token` is a valid API token. */
export async function authenticateToken(deps: AuthDeps, token: string): Promise<string | undefined> {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const row = await findApiTokenByHash(deps.database.db, hashSecret(token));
  if (!row) return undefined;
  const now = deps.clock();
  // Minute precision is all `token list` needs; a write per request would cost every API call a commit.
  if (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) >= LAST_USED_PRECISION_MS) {
    await touchApiToken(deps.database.db, row.id, now.toISOString());
  }
  return row.id;
}

/** Opens a browser session; the cookie value is returned and only its hash is stored. */
export async function openSession(deps: AuthDeps, tokenId: string | null): Promise<{ cookie: string; expiresAt: Date }> {
  const cookie = newSecret('');
  const now = deps.clock();
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
  await insertSession(deps.database.db, { id_hash: hashSecret(cookie), token_id: tokenId, created_at: now.toISOString(), expires_at: expiresAt.toISOString() });
  return { cookie, expiresAt };
}

export async function isLiveSession(deps: AuthDeps, cookie: string): Promise<boolean> {
  return (await findLiveSession(deps.database.db, hashSecret(cookie), deps.clock().toISOString())) !== undefined;
}

export async function closeSession(deps: AuthDeps, cookie: string): Promise<void> {
  await deleteSession(deps.database.db, hashSecret(cookie));
}

/** A sign-in secret held in memory by `winnow serve` for as long as it runs (like Jupyter's token link). */
export function createSignInLink(): { secret: string; matches(candidate: string): boolean } {
  const secret = newSecret('');
  return {
    secret,
    matches: (candidate) => candidate.length === secret.length && timingSafeEqual(Buffer.from(candidate), Buffer.from(secret)),
  };
}

function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

// Tokens carry 256 random bits, so a plain SHA-256 is as strong as a slow password hash here.
function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
