import { AppError } from '../errors.js';
import { startWorker } from '../shared/worker-thread.js';
import type { PolicyCheck, PolicyTarget } from './check-policy.js';

/** Far beyond any real policy (a few hundred milliseconds), well short of a user giving up. */
export const POLICY_CHECK_DEADLINE_MS = 20_000;

/**
 * checkPolicy in a worker thread that is stopped at `deadlineMs`: the IAM engine matches wildcards
 * with backtracking regular expressions, and some patterns would otherwise run for hours.
 */
export async function checkPolicyWithin(policyText: string, target: PolicyTarget, deadlineMs = POLICY_CHECK_DEADLINE_MS): Promise<PolicyCheck> {
  const worker = startWorker(new URL('./policy-check.worker.js', import.meta.url), { workerData: { policyText, target } });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<PolicyCheck>((resolve, reject) => {
      timer = setTimeout(() => {
        reject(
          new AppError(
            'PolicyTooComplex',
            `Evaluating the policy took longer than ${deadlineMs / 1000} s, so it was stopped: its wildcard patterns are too complex to evaluate (many * and ? in one Resource, Action or condition value).`,
            {
              hint: 'Write each pattern with few wildcards, e.g. arn:aws:s3:::bucket/folder/*; no real policy needs more than a handful.',
            },
          ),
        );
      }, deadlineMs);
      worker.once('message', (check: PolicyCheck) => resolve(check));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`The policy check stopped unexpectedly (exit ${code}).`)));
    });
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}
