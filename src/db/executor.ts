import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

/** What repository functions run their queries on: the catalog, or a transaction of it (the caller owns it). */
export type Executor = Kysely<DB>;
