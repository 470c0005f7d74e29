import type { ChildProcess } from 'node:child_process';
import { spawnCli } from './cli.js';

export interface ServeProcess {
  /** `http://127.0.0.1:PORT`, as `winnow serve` printed it. */
  url: string;
  /** The one-click sign-in link it printed. */
  signInUrl: string;
  /** Everything written to stderr so far (for failure messages). */
  stderr(): string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;

/** Runs the built `winnow serve` on a free port and waits for the lines a user would read. */
export async function startServe(env: Record<string, string>, args: readonly string[] = []): Promise<ServeProcess> {
  const child = spawnCli(['serve', '--port', '0', ...args], env);
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const printed = await new Promise<{ url: string; signInUrl: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`winnow serve printed no sign-in link within ${STARTUP_TIMEOUT_MS} ms.\nstdout: ${stdout}\nstderr: ${stderr}`)),
      STARTUP_TIMEOUT_MS,
    );
    const onData = (chunk: string) => {
      stdout += chunk;
      const url = /Winnow is running at (http:\/\/\S+)/.exec(stdout)?.[1];
      const signInUrl = /(http:\/\/\S+\/login\?token=\S+)/.exec(stdout)?.[1];
      if (url !== undefined && signInUrl !== undefined) done(() => resolve({ url, signInUrl }));
    };
    const onExit = (code: number | null) => fail(new Error(`winnow serve exited with ${code} before it was ready.\nstdout: ${stdout}\nstderr: ${stderr}`));
    function done(settle: () => void) {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      settle();
    }
    function fail(error: Error) {
      child.kill('SIGKILL');
      done(() => reject(error));
    }
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', onExit);
  });
  return { ...printed, stderr: () => stderr, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const escalation = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(escalation);
}
