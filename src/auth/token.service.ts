import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Database } from '../db/database.js';
import { AppError, quoteInput } from '../errors.js';
import {
  deleteApiToken,
  deleteExpiredSessions,
  deleteSession,
  deleteSessionsByIdPrefix,
  findApiTokenByHash,
  findApiTokenByName,
  findLiveSession,
  insertApiToken,
  insertSession,
  listApiTokens,
  listLiveSessions,
  touchApiToken,
} from './token.repository.js';

export interface AuthDeps {
  database: Database;
  clock: () => Date;
}

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
  if (!/^[\w.@-]{1,64}$/.test(name))
    throw new AppError('InputInvalid', `${quoteInput(name)} is not a valid token name.`, { hint: 'Use 1-64 letters, digits, ".", "@", "_" or "-".' });
  if (await findApiTokenByName(deps.database.db, name)) {
    throw new AppError('InputInvalid', `A token named "${name}" already exists.`, {
      hint: `Revoke it first with \`winnow token revoke ${name}\` or pick another name.`,
    });
  }
  const token = newSecret(TOKEN_PREFIX);
  const now = deps.clock().toISOString();
  await insertApiToken(deps.database.db, { id: randomUUID(), name, token_hash: hashSecret(token), created_at: now, last_used_at: null });
  return { token, view: { name, createdAt: now, lastUsedAt: null } };
}

export async function listTokens(deps: AuthDeps): Promise<TokenView[]> {
  return (await listApiTokens(deps.database.db)).map((row) => ({ name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at }));
}

/** A signed-in browser, as `winnow token list` shows it: never the cookie, only a short id of its hash. */
export interface SessionView {
  /** `session:` and the first 12 hex digits of the cookie's hash; what `winnow token revoke` takes. */
  id: string;
  /** The API token it was opened with, or null for the sign-in link `winnow serve` printed. */
  token: string | null;
  createdAt: string;
  expiresAt: string;
}

const SESSION_ID_PREFIX = 'session:';
const SESSION_ID_DIGITS = 12;

export async function listSessions(deps: AuthDeps): Promise<SessionView[]> {
  const now = deps.clock().toISOString();
  await deleteExpiredSessions(deps.database.db, now);
  return (await listLiveSessions(deps.database.db, now)).map((row) => ({
    id: `${SESSION_ID_PREFIX}${row.id_hash.slice(0, SESSION_ID_DIGITS)}`,
    token: row.token_name,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  }));
}

/**
 * Revokes an API token by name (and every browser session opened with it), or one session by the id
 * `token list` shows (`session:…`), or every session with `session:all`.
 */
export async function revokeApiToken(deps: AuthDeps, name: string): Promise<{ revoked: 'token' | 'sessions'; count: number }> {
  if (name.startsWith(SESSION_ID_PREFIX)) {
    const id = name.slice(SESSION_ID_PREFIX.length);
    if (id !== 'all' && !new RegExp(`^[0-9a-f]{${SESSION_ID_DIGITS}}$`).test(id)) {
      throw new AppError('InputInvalid', `${quoteInput(name)} is not a session id.`, {
        hint: 'Session ids look like session:0123456789ab; `winnow token list` shows them (session:all revokes every session).',
      });
    }
    const count = await deleteSessionsByIdPrefix(deps.database.db, id === 'all' ? '' : id);
    if (count === 0) throw new AppError('InputInvalid', `No session ${quoteInput(name)}.`, { hint: '`winnow token list` shows the live sessions.' });
    return { revoked: 'sessions', count };
  }
  if ((await deleteApiToken(deps.database.db, name)) === 0)
    throw new AppError('InputInvalid', `No token named ${quoteInput(name)}.`, { hint: '`winnow token list` shows the tokens and sessions.' });
  return { revoked: 'token', count: 1 };
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

export interface SignInLink {
  secret: string;
  /** True for the first request that presents the secret, false ever after: the link works once. */
  consume(candidate: string): boolean;
}

/** A one-time sign-in secret held in memory by `winnow serve` (like Jupyter's token link, but single use). */
export function createSignInLink(): SignInLink {
  const secret = newSecret('');
  let used = false;
  return {
    secret,
    consume: (candidate) => {
      if (used || candidate.length !== secret.length || !timingSafeEqual(Buffer.from(candidate), Buffer.from(secret))) return false;
      used = true;
      return true;
    },
  };
}

function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

// Tokens carry 256 random bits, so a plain SHA-256 is as strong as a slow password hash here.
function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
