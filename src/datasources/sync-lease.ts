import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Executor } from '../catalog/dataset.repository.js';
import { claimSyncLease, ensureSyncState, findSyncState } from '../catalog/sync-state.repository.js';
import { AppError } from '../errors.js';

/** A lease not renewed for this long belongs to a process that is gone (possibly on another machine). */
export const SYNC_LEASE_MS = 2 * 60_000;
/** Renewing every page would cost a commit per page; a sixth of the lease leaves ample margin. */
const RENEW_INTERVAL_MS = SYNC_LEASE_MS / 6;

export interface SyncLease {
  owner: string;
  /** Extends the lease when a good part of it has run out; call it as often as work is committed. */
  renew(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the dataset's sync lease so two syncs never interleave. A lease left by a
 * process that died on this host is taken over at once; one from another host once it expires.
 */
export async function acquireSyncLease(db: Executor, datasetId: string, datasetName: string, clock: () => Date): Promise<SyncLease> {
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const expiry = () => new Date(clock().getTime() + SYNC_LEASE_MS).toISOString();
  await ensureSyncState(db, datasetId, clock().toISOString());
  const state = (await findSyncState(db, datasetId))!;
  const holder = state.lease_owner;
  if (holder !== null && !isAbandoned(holder, state.lease_expires_at, clock())) {
    throw inProgress(datasetName, holder, state.lease_expires_at);
  }
  if (!(await claimSyncLease(db, datasetId, holder, owner, expiry()))) {
    const now = await findSyncState(db, datasetId);
    throw inProgress(datasetName, now?.lease_owner ?? 'another process', now?.lease_expires_at ?? null);
  }
  let renewedAt = clock().getTime();
  let renewing: Promise<void> | undefined;
  const extend = async () => {
    if (!(await claimSyncLease(db, datasetId, owner, owner, expiry()))) {
      throw new AppError('SyncInProgress', `Another process took over the sync of "${datasetName}" (this one was too slow to renew its lease).`);
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
      await claimSyncLease(db, datasetId, owner, null, null);
    },
  };
}

/** Whether a lease's holder is gone: its lease ran out, or it was a process of this host that no longer runs. */
export function isAbandoned(holder: string, expiresAt: string | null, now: Date): boolean {
  if (expiresAt === null || new Date(expiresAt) <= now) return true;
  const [host, pid] = holder.split(':');
  return host === hostname() && !isProcessAlive(Number(pid));
}

function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function inProgress(datasetName: string, holder: string, expiresAt: string | null): AppError {
  const [host, pid] = holder.split(':');
  return new AppError('SyncInProgress', `A sync of "${datasetName}" is already running (process ${pid ?? '?'} on ${host ?? '?'}).`, {
    hint: `Wait for it to finish; if it died on another machine, its lease expires at ${expiresAt ?? 'once it is released'}.`,
  });
}
