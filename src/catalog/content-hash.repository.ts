import type { Executor } from '../db/executor.js';

/** A sample's sha256 as read once, with the size and etag it was read at. */
export interface ContentHash {
  sampleId: number;
  size: number;
  etag: string | null;
  sha256: string;
  computedAt: string;
}

/** Stored hashes of the given samples, by sample id (whatever their etag; the caller checks it is current). */
export async function findContentHashes(db: Executor, sampleIds: readonly number[]): Promise<Map<number, ContentHash>> {
  const found = new Map<number, ContentHash>();
  for (let start = 0; start < sampleIds.length; start += 1_000) {
    const rows = await db
      .selectFrom('sample_content_hashes')
      .selectAll()
      .where('sample_id', 'in', sampleIds.slice(start, start + 1_000))
      .execute();
    for (const row of rows)
      found.set(row.sample_id, { sampleId: row.sample_id, size: Number(row.size), etag: row.etag, sha256: row.sha256, computedAt: row.computed_at });
  }
  return found;
}

/** Records hashes, replacing older ones of the same samples. */
export async function saveContentHashes(db: Executor, hashes: readonly ContentHash[]): Promise<void> {
  for (let start = 0; start < hashes.length; start += 500) {
    const rows = hashes.slice(start, start + 500).map((hash) => ({
      sample_id: hash.sampleId,
      size: hash.size,
      etag: hash.etag,
      sha256: hash.sha256,
      computed_at: hash.computedAt,
    }));
    await db
      .insertInto('sample_content_hashes')
      .values(rows)
      .onConflict((oc) =>
        oc.column('sample_id').doUpdateSet((eb) => ({
          size: eb.ref('excluded.size'),
          etag: eb.ref('excluded.etag'),
          sha256: eb.ref('excluded.sha256'),
          computed_at: eb.ref('excluded.computed_at'),
        })),
      )
      .execute();
  }
}
