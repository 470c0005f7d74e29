import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { WINNOW_JOB_NAMES } from './winnow-jobs.js';
import { parseWorkerQueues, RUN_PARTS, WORKER_QUEUES_HELP } from './worker-queues.js';

describe('winnow worker --queues', () => {
  it('works every queue when left out', () => {
    expect(parseWorkerQueues(undefined)).toEqual([...WINNOW_JOB_NAMES]);
  });

  it("takes a run's batch or shard jobs with the run's own queue", () => {
    expect(parseWorkerQueues('embed')).toEqual(['embed', 'embed-batch']);
    expect(parseWorkerQueues('thumbnails')).toEqual(['thumbnails', 'thumbnails-batch']);
    expect(parseWorkerQueues('sync')).toEqual(['sync', 'sync-shard']);
    expect(parseWorkerQueues(' thumbnails , embed ')).toEqual(['thumbnails', 'embed', 'thumbnails-batch', 'embed-batch']);
  });

  it('takes a part named alone without the run that plans it', () => {
    expect(parseWorkerQueues('embed-batch')).toEqual(['embed-batch']);
    expect(parseWorkerQueues('thumbnails-batch,embed-batch')).toEqual(['thumbnails-batch', 'embed-batch']);
    expect(parseWorkerQueues('embed,embed-batch')).toEqual(['embed', 'embed-batch']);
  });

  it('knows every job as a run or a part of one', () => {
    const parts: string[] = Object.values(RUN_PARTS);
    expect([...Object.keys(RUN_PARTS), ...parts].sort()).toEqual([...WINNOW_JOB_NAMES].sort());
  });

  it('refuses an unknown or empty list, saying what it takes', () => {
    for (const given of ['embeds', 'embed,nope', ' , ']) {
      const error = (() => {
        try {
          parseWorkerQueues(given);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'InputInvalid', message: `--queues takes ${WORKER_QUEUES_HELP}; got ${JSON.stringify(given)}.` });
    }
    expect(WORKER_QUEUES_HELP).toBe(
      'sync (with sync-shard), thumbnails (with thumbnails-batch), embed (with embed-batch), or sync-shard, thumbnails-batch, embed-batch alone',
    );
  });
});
