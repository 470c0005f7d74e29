import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SampleIdRange } from '../catalog/sample-ranges.repository.js';
import { AppError, type ErrorCode } from '../errors.js';
import type { SampleBatchRunner } from '../workflows/sample-batches.js';
import { isPermanentJobError, type JobContext, type JobPayloads, type JobQueue } from './job-queue.js';

const COUNTERS = ['done', 'embedded', 'generated', 'failed'] as const;

/**
 * The id of a run's batch job: the same for the same parent job and range, so a parent that
 * plans again after a crash finds the batches it had enqueued instead of doubling them.
 */
export function batchJobId(parentId: string, name: string, range: SampleIdRange): string {
  const hex = createHash('sha256').update(`${parentId}\n${name}\n${range.fromId}-${range.throughId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Runs a plan's batches as jobs of `name` on the queue, for any worker to take, and follows
 * them from the parent job: their progress summed into the parent's (which is also the parent's
 * heartbeat), the dataset's lease renewed. The run has proven reads with one request before
 * planning (proveInputReadable); the first batch with work still runs alone, so a refusal that
 * one read could not foresee is met by one batch, not by one per worker; a batch that fails
 * with an error no retry mends (reads denied, wrong keys) fails the parent at once.
 */
export function queueSampleBatches<Payloads extends JobPayloads, Result>(options: {
  queue: JobQueue<Payloads>;
  parent: JobContext;
  name: keyof Payloads & string;
  payload: (range: SampleIdRange) => Payloads[keyof Payloads & string];
  pollMs: number;
}): SampleBatchRunner<Result> {
  const { queue, parent, name } = options;
  return async (plan) => {
    const batches: Array<{ id: string; range: SampleIdRange; finished: boolean; counters: Record<string, unknown> | null }> = [];
    const results: Result[] = [];
    const failedRanges: SampleIdRange[] = [];

    const enqueue = async (range: SampleIdRange) => {
      const id = batchJobId(parent.id, name, range);
      const known = (await queue.get(id)) !== undefined;
      if (!known && !(await plan.hasWork(range))) return;
      if (!known) await queue.enqueue(name, options.payload(range), { id });
      batches.push({ id, range, finished: false, counters: null });
    };
    const follow = async () => {
      for (;;) {
        for (const batch of batches.filter((each) => !each.finished)) {
          const job = await queue.get(batch.id);
          if (job === undefined || job.state === 'cancelled') {
            failedRanges.push(batch.range);
            batch.finished = true;
          } else if (job.state === 'completed') {
            results.push(job.result as Result);
            batch.counters = job.result;
            batch.finished = true;
          } else if (job.state === 'failed') {
            const error = job.error ?? { code: 'InternalError', message: `Batch job ${batch.id} failed.`, hint: null };
            if (isPermanentJobError(error)) throw new AppError(error.code as ErrorCode, error.message, { hint: error.hint ?? undefined });
            failedRanges.push(batch.range);
            batch.finished = true;
          } else {
            batch.counters = job.progress;
          }
        }
        plan.onProgress(Object.fromEntries(COUNTERS.map((counter) => [counter, sumOf(batches, counter)])));
        await plan.renewLease();
        if (batches.every((batch) => batch.finished)) return;
        if (parent.signal.aborted) throw new AppError('SyncCancelled', 'The run was stopped while its batches ran; the next attempt follows them again.');
        await sleep(options.pollMs, undefined, { signal: parent.signal }).catch(() => undefined);
      }
    };

    try {
      let next = 0;
      while (next < plan.ranges.length && batches.length === 0) await enqueue(plan.ranges[next++]!);
      await follow();
      while (next < plan.ranges.length) await enqueue(plan.ranges[next++]!);
      await follow();
      return { results, failedRanges };
    } catch (error) {
      // A worker stopping (SIGTERM) leaves the batches to the others and the parent's next attempt; anything else ends them.
      if (parent.signal.reason !== 'stopping') {
        for (const batch of batches.filter((each) => !each.finished)) await queue.cancel(batch.id).catch(() => undefined);
      }
      throw error;
    }
  };
}

function sumOf(batches: ReadonlyArray<{ counters: Record<string, unknown> | null }>, counter: string): number {
  return batches.reduce((total, batch) => {
    const value = batch.counters?.[counter];
    return total + (typeof value === 'number' ? value : 0);
  }, 0);
}
