import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';
import type { StorageRetry } from './object-store.js';

/**
 * The AWS SDK's standard retry strategy, unchanged: exponential backoff with full jitter (a random wait up
 * to 50 ms x 2^attempt, 1 s x 2^attempt after throttling, never over 20 s), at most `maxAttempts` tries,
 * and a retry budget per client (500 tokens, 14 per retry, paid back by successes) that stops retrying
 * while most calls fail, so a dead endpoint is not hammered. It only tells `onRetry` as each retry goes out, with
 * the backoff it waited (this SDK version waits inside the strategy and hands the middleware a zero delay).
 */
export function observedRetryStrategy(
  maxAttempts: number,
  onRetry: (retry: StorageRetry) => void,
): RetryStrategyV2 & { refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<StandardRetryToken> } {
  const standard = new StandardRetryStrategy(maxAttempts);
  return {
    acquireInitialRetryToken: (scope: string) => standard.acquireInitialRetryToken(scope),
    refreshRetryTokenForRetry: async (token: StandardRetryToken, errorInfo: RetryErrorInfo) => {
      const retry = await standard.refreshRetryTokenForRetry(token, errorInfo);
      onRetry({
        attempt: retry.getRetryCount() + 1,
        maxAttempts,
        reason: retryReason(errorInfo.error),
        at: new Date().toISOString(),
        delayMs: waitedMs(retry),
        code: retryCode(errorInfo.error),
      });
      return retry;
    },
    recordSuccess: (token: StandardRetryToken) => standard.recordSuccess(token),
  };
}

/** The backoff before the retry: waited inside the strategy (`$retryLog`), plus what the middleware still waits. */
function waitedMs(token: StandardRetryToken): number {
  const inside = (token as { $retryLog?: { acquisitionDelay?: unknown } }).$retryLog?.acquisitionDelay;
  return (typeof inside === 'number' ? inside : 0) + token.getRetryDelay();
}

/** `SlowDown`, `ECONNRESET`, `TimeoutError`: the error's code alone, for a job's stored retry state. */
export function retryCode(error: unknown): string {
  const vendor = error as { name?: string; code?: string; cause?: unknown } | undefined;
  if (vendor?.name !== undefined && vendor.name !== 'Error') return vendor.name;
  if (typeof vendor?.code === 'string') return vendor.code;
  if (vendor?.cause !== undefined) return retryCode(vendor.cause);
  return vendor?.name ?? 'error';
}

/** `503 SlowDown`, `ECONNRESET`, `TimeoutError`: what made a call worth retrying, for a progress line. */
export function retryReason(error: unknown): string {
  const vendor = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown } | undefined;
  const status = vendor?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400) return `${status} ${vendor?.name ?? 'error'}`;
  if (typeof vendor?.code === 'string') return vendor.code;
  if (vendor?.cause !== undefined) return retryReason(vendor.cause);
  return vendor?.name ?? 'error';
}
