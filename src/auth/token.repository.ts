import type { Executor } from '../db/executor.js';
import type { DB } from '../db/schema.js';
import type { Insertable, Selectable } from 'kysely';

export type ApiTokenRow = Selectable<DB['api_tokens']>;

export async function insertApiToken(db: Executor, row: Insertable<DB['api_tokens']>): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute();
}

export async function findApiTokenByHash(db: Executor, tokenHash: string): Promise<ApiTokenRow | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function findApiTokenByName(db: Executor, name: string): Promise<ApiTokenRow | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function listApiTokens(db: Executor): Promise<ApiTokenRow[]> {
  return db.selectFrom('api_tokens').selectAll().orderBy('name').execute();
}

export async function deleteApiToken(db: Executor, name: string): Promise<number> {
  const result = await db.deleteFrom('api_tokens').where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function touchApiToken(db: Executor, id: string, now: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

export async function insertSession(db: Executor, row: Insertable<DB['sessions']>): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export async function findLiveSession(db: Executor, idHash: string, now: string) {
  return db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
}

export async function deleteSession(db: Executor, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export interface SessionListing {
  id_hash: string;
  token_name: string | null;
  created_at: string;
  expires_at: string;
}

export async function listLiveSessions(db: Executor, now: string): Promise<SessionListing[]> {
  return db
    .selectFrom('sessions')
    .leftJoin('api_tokens', 'api_tokens.id', 'sessions.token_id')
    .select(['sessions.id_hash', 'api_tokens.name as token_name', 'sessions.created_at', 'sessions.expires_at'])
    .where('sessions.expires_at', '>', now)
    .orderBy('sessions.created_at')
    .execute();
}

export async function deleteExpiredSessions(db: Executor, now: string): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
}

/** Deletes the sessions whose hash starts with `idPrefix` (hex); returns how many. */
export async function deleteSessionsByIdPrefix(db: Executor, idPrefix: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('id_hash', 'like', `${idPrefix}%`).executeTakeFirst();
  return Number(result.numDeletedRows);
}
