/**
 * What the server under load saw of a run, to tell its own delays from the machine's: how long
 * its requests took from the parsed request to the last byte written, how late its event loop
 * ran, and what V8's garbage collector paused. wrk's latencies also hold time spent waiting
 * for a CPU, in the kernel's queues and in wrk itself; a p99 that wrk shows and these do not
 * is not the server's.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { constants, createHistogram, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry, type RecordableHistogram } from 'node:perf_hooks';

export interface ServerRunStats {
  requests: number;
  requestMs: { p50: number; p99: number; max: number };
  eventLoopDelayMs: { p99: number; max: number };
  gc: GcPauses;
}

/** Pauses of V8's collector: all of them, and the full (mark-compact) ones apart, which scale with the whole heap. */
export interface GcPauses {
  pauses: number;
  totalMs: number;
  maxMs: number;
  over10Ms: number;
  major: { pauses: number; totalMs: number; maxMs: number };
}

const noPauses = (): GcPauses => ({ pauses: 0, totalMs: 0, maxMs: 0, over10Ms: 0, major: { pauses: 0, totalMs: 0, maxMs: 0 } });

const nsToMs = (ns: number): number => ns / 1e6;

/** Starts recording; `take()` returns what was recorded since the last take and starts again. */
export function recordServerStats(): { take(): ServerRunStats } {
  const requestStarts = new WeakMap<IncomingMessage, bigint>();
  let requestNs: RecordableHistogram = createHistogram();
  diagnosticsChannel.subscribe('http.server.request.start', (message) => {
    requestStarts.set((message as { request: IncomingMessage }).request, process.hrtime.bigint());
  });
  diagnosticsChannel.subscribe('http.server.response.finish', (message) => {
    const started = requestStarts.get((message as { request: IncomingMessage }).request);
    if (started !== undefined) requestNs.record(Math.max(1, Number(process.hrtime.bigint() - started)));
  });

  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();

  let gc = noPauses();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.pauses++;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
      if (entry.duration > 10) gc.over10Ms++;
      if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.major.pauses++;
        gc.major.totalMs += entry.duration;
        gc.major.maxMs = Math.max(gc.major.maxMs, entry.duration);
      }
    }
  }).observe({ entryTypes: ['gc'] });

  return {
    take() {
      const stats: ServerRunStats = {
        requests: requestNs.count,
        requestMs: { p50: nsToMs(requestNs.percentile(50)), p99: nsToMs(requestNs.percentile(99)), max: nsToMs(requestNs.max) },
        eventLoopDelayMs: { p99: nsToMs(loopDelay.percentile(99)), max: nsToMs(loopDelay.max) },
        gc,
      };
      requestNs = createHistogram();
      loopDelay.reset();
      gc = noPauses();
      return stats;
    },
  };
}
