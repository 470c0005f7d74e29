import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Executor } from '../db/executor.js';
import { claimDatasetLease, ensureSyncState, findSyncState } from './sync-state.repository.js';
import { AppError } from '../errors.js';
import { isProcessAlive } from '../shared/process.js';

/** A lease not renewed for this long belongs to a process that is gone (possibly on another machine). */
export const DATASET_LEASE_MS = 2 * 60_000;
/** Renewing every page would cost a commit per page; a sixth of the lease leaves ample margin. */
const RENEW_INTERVAL_MS = DATASET_LEASE_MS / 6;

/** The long jobs that change a dataset's samples or outputs, and editing its settings (never under a running job); one runs at a time. */
export type DatasetJob = 'sync' | 'thumbnails' | 'embeddings' | 'clean-outputs' | 'edit';

export interface DatasetLease {
  owner: string;
  /** Extends the lease when a good part of it has run out; call it as often as work is committed. */
  renew(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the dataset's lease for a long job, so two never interleave (a sync and a thumbnail run
 * of one dataset included). A lease left by a process that died on this host is taken over at
 * once; one from another host once it expires.
 */
export async function acquireDatasetLease(db: Executor, datasetId: string, datasetName: string, job: DatasetJob, clock: () => Date): Promise<DatasetLease> {
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}:${job}`;
  const expiry = () => new Date(clock().getTime() + DATASET_LEASE_MS).toISOString();
  await ensureSyncState(db, datasetId, clock().toISOString());
  const state = (await findSyncState(db, datasetId))!;
  const holder = state.leaseOwner;
  if (holder !== null && !isAbandoned(holder, state.leaseExpiresAt, clock())) {
    throw inProgress(datasetName, holder, state.leaseExpiresAt);
  }
  if (!(await claimDatasetLease(db, datasetId, holder, owner, expiry()))) {
    const now = await findSyncState(db, datasetId);
    throw inProgress(datasetName, now?.leaseOwner ?? 'another process', now?.leaseExpiresAt ?? null);
  }
  let renewedAt = clock().getTime();
  let renewing: Promise<void> | undefined;
  const extend = async () => {
    if (!(await claimDatasetLease(db, datasetId, owner, owner, expiry()))) {
      throw new AppError('DatasetBusy', `Another process took over the ${job} of "${datasetName}" (this one was too slow to renew its lease).`);
    }
    renewedAt = clock().getTime();
  };
  return {
    owner,
    renew: () => {
      if (renewing) return renewing;
      if (clock().getTime() - renewedAt < RENEW_INTERVAL_MS) return Promise.resolve();
      renewing = extend().finally(() => {
        renewing = undefined;
      });
      return renewing;
    },
    release: async () => {
      await claimDatasetLease(db, datasetId, owner, null, null);
    },
  };
}

/** Whether a lease's holder is gone: its lease ran out, or it was a process of this host that no longer runs. */
export function isAbandoned(holder: string, expiresAt: string | null, now: Date): boolean {
  if (expiresAt === null || new Date(expiresAt) <= now) return true;
  const [host, pid] = holder.split(':');
  return host === hostname() && !isProcessAlive(Number(pid));
}

function inProgress(datasetName: string, holder: string, expiresAt: string | null): AppError {
  const [host, pid, , job] = holder.split(':');
  const what = job === 'thumbnails' ? 'A thumbnail job' : job === 'sync' ? 'A sync' : job === 'embeddings' ? 'An embedding run' : 'A long job';
  return new AppError('DatasetBusy', `${what} of "${datasetName}" is already running (process ${pid ?? '?'} on ${host ?? '?'}).`, {
    hint: `Wait for it to finish; if it died on another machine, its lease expires at ${expiresAt ?? 'once it is released'}.`,
  });
}
