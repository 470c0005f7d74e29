import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Undo actions (stop s3rver, kill children, drop databases, remove temp dirs) run in
 * reverse order when the bench ends, fails, or is interrupted.
 */
type Undo = () => unknown;

const undos: Array<{ label: string; undo: Undo }> = [];

/** Registers an undo action; the returned function runs it early and unregisters it. */
export function onCleanup(label: string, undo: Undo): () => Promise<void> {
  const entry = { label, undo };
  undos.push(entry);
  return async () => {
    const index = undos.indexOf(entry);
    if (index === -1) return;
    undos.splice(index, 1);
    await entry.undo();
  };
}

export async function cleanUpAll(): Promise<void> {
  while (undos.length > 0) {
    const { label, undo } = undos.pop()!;
    try {
      await undo();
    } catch (error) {
      console.error(`cleanup "${label}" failed: ${(error as Error).message}`);
    }
  }
}

let interruptedBy: NodeJS.Signals | undefined;

/** Whether a signal is ending the bench (the failures it causes in running steps are expected, not news). */
export function isInterrupted(): boolean {
  return interruptedBy !== undefined;
}

/** Ctrl-C or a kill still stops s3rver, drops databases and removes temp dirs. */
export function cleanUpOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      interruptedBy = signal;
      console.error(`\n${signal}: cleaning up`);
      void cleanUpAll().finally(() => process.exit(130));
    });
  }
}

/** A fresh temp dir that is removed at cleanup (or earlier through the returned `remove`). */
export async function makeTempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const remove = onCleanup(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return { path: dir, remove };
}
