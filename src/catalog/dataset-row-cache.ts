import { DATASETS_CHANGED_CHANNEL } from '../db/migrations/0005-dataset-change-notices.js';
import type { Dataset } from '../catalog/dataset.repository.js';
import { createSingleFlight } from '../shared/concurrency.js';
import { requireDatasetRow, type CatalogDeps } from './dataset.service.js';

/** Dataset rows by name for a server's hot paths (every grid page needs its dataset's revision). */
export interface DatasetRowCache {
  get(name: string): Promise<Dataset>;
  /** Whether rows are being kept (change notices heard); false on SQLite. */
  readonly keepsRows: boolean;
  close(): Promise<void>;
}

export const KEPT_AT_MOST_MS = 5_000;

/**
 * On PostgreSQL a row read costs a round trip per request, so rows are kept while the catalog's
 * change notices are being heard, and all are dropped at each notice (any process's write to
 * `datasets`, see migration 0005) or when the notice connection is lost. A row can then be stale
 * only for the moment between a commit and its notice reaching this process. A row is also read
 * again after KEPT_AT_MOST_MS whatever the notices: behind a pooler that drops them (PgBouncer in
 * transaction mode accepts LISTEN but never delivers), staleness stays bounded at that.
 * On SQLite nothing is kept: a read costs microseconds and no notice exists.
 */
export function createDatasetRowCache(deps: CatalogDeps): DatasetRowCache {
  const rows = new Map<string, { row: Dataset; readAt: number }>();
  let listening = false;
  // One read per name at a time, however many requests need it.
  const reads = createSingleFlight<string, Dataset>();
  let warned = false;
  // Bumped by every notice, so a read that was in flight when one arrived is not kept.
  let noticesHeard = 0;
  const forgetAll = () => {
    noticesHeard++;
    rows.clear();
    reads.forgetAll();
  };
  const listener = deps.database.listen?.(DATASETS_CHANGED_CHANNEL, {
    onNotice: forgetAll,
    onListeningChanged(nowListening, error) {
      forgetAll();
      listening = nowListening;
      if (nowListening) warned = false;
      // Once per outage: the listener retries every second.
      if (error && !warned)
        deps.log.warn({ error: error.message }, 'not hearing the catalog change notices; reading dataset rows from the catalog until they are back');
      warned ||= error !== undefined;
    },
  });

  const read = (name: string, startedAt: number) =>
    reads.run(name, async () => {
      const asOfNotice = noticesHeard;
      const row = await requireDatasetRow(deps, name);
      if (listening && asOfNotice === noticesHeard) rows.set(name, { row, readAt: startedAt });
      return row;
    });

  return {
    async get(name) {
      const now = deps.clock().getTime();
      const kept = listening ? rows.get(name) : undefined;
      const age = kept === undefined ? Infinity : now - kept.readAt;
      if (age < KEPT_AT_MOST_MS / 2) return kept!.row;
      const pending = read(name, now);
      // Halfway through, a kept row is read again in the background, so no request waits for it.
      if (age < KEPT_AT_MOST_MS) {
        pending.catch(() => undefined);
        return kept!.row;
      }
      return pending;
    },
    get keepsRows() {
      return listening;
    },
    close: async () => {
      await listener?.close();
    },
  };
}
