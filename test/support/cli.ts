import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/winnow.js');
/** The AWS SDK's default credential chain would otherwise probe the EC2 metadata address, which tests must never reach. */
const BASE_ENV = { WINNOW_LOG_LEVEL: 'warn', AWS_EC2_METADATA_DISABLED: 'true' };

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json commands). */
  json<T = unknown>(): T;
}

export interface CliRunOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  timeoutMs?: number;
}

/** Runs the built `winnow` binary as a user would, in a child process. */
export async function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, ...BASE_ENV, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.stdin ?? '');
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const code = await new Promise<number>((resolveExit) => child.on('close', (exitCode, signal) => resolveExit(exitCode ?? (signal ? 128 : 1))));
  clearTimeout(timeout);
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      try {
        return JSON.parse(stdout) as T;
      } catch {
        throw new Error(`stdout is not JSON (exit ${code}).\nstdout: ${stdout}\nstderr: ${stderr}`);
      }
    },
  };
}

/** A fresh WINNOW_HOME for one test's catalog and master key. */
export function freshHome(): string {
  return mkdtempSync(join(tmpdir(), 'winnow-home-'));
}

/** Starts the CLI and returns the child so a test can kill it mid-run. */
export function spawnCli(args: readonly string[], env: Record<string, string | undefined>) {
  return spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...BASE_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves once `child` has exited and its output streams are closed. */
export function closed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('close', () => resolve()));
}

/** Rejects, naming `what` was awaited, if `child` exits first: race it with what a test waits for while the child runs. */
export function failOnExit(child: ChildProcess, what: string): Promise<never> {
  const failed = closed(child).then(() => {
    throw new Error(`${what}, but the process exited first (code ${child.exitCode}, signal ${child.signalCode})`);
  });
  // Losing the race is the normal case: the child is killed later on purpose.
  failed.catch(() => undefined);
  return failed;
}

export interface S3Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface CliUser {
  home: string;
  env: Record<string, string>;
  run(...args: string[]): Promise<CliResult>;
  /** `dataset create <name> --input <input>` on the endpoint with path-style URLs and the keys, the secret (and token) on stdin. */
  create(name: string, ...extra: string[]): Promise<CliResult>;
}

/**
 * The CLI as one S3 user runs it: a catalog of its own (or `home`), `env` on every command. The
 * endpoint is read when a dataset is created, so a test can build users before its proxy starts.
 */
export function cliAsS3User(options: { keys: S3Keys; input: string; endpoint: () => string; home?: string; env?: Record<string, string> }): CliUser {
  const home = options.home ?? freshHome();
  const env = { WINNOW_HOME: home, ...options.env };
  const { keys } = options;
  return {
    home,
    env,
    run: (...args) => runCli(args, { env }),
    create: (name, ...extra) => createS3Dataset(name, { input: options.input, endpoint: options.endpoint(), keys, env }, ...extra),
  };
}

/** `winnow dataset create <name> --input <input>` on an S3 endpoint with path-style URLs, the secret (and token) on stdin. */
export function createS3Dataset(
  name: string,
  options: { input: string; endpoint: string; keys: S3Keys; env: Record<string, string | undefined> },
  ...extra: string[]
): Promise<CliResult> {
  const { keys } = options;
  return runCli(
    [
      'dataset',
      'create',
      name,
      '--input',
      options.input,
      '--endpoint',
      options.endpoint,
      '--path-style',
      '--access-key-id',
      keys.accessKeyId,
      '--secret-access-key-stdin',
      ...extra,
    ],
    { env: options.env, stdin: `${keys.secretAccessKey}\n${keys.sessionToken ?? ''}\n` },
  );
}
