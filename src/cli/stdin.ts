import { AppError } from '../errors.js';

/** Reads stdin to its end, for secrets passed with `--*-stdin` (never on argv). */
export async function readStdinLines(stdin: NodeJS.ReadableStream = process.stdin): Promise<string[]> {
  if ((stdin as { isTTY?: boolean }).isTTY) {
    process.stderr.write('Paste the secret(s), one per line, then press Ctrl-D:\n');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
}

export interface StdinSecrets {
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
}

/** With both flags the first line is the secret access key and the second the session token. */
export async function readSecretsFromStdin(wantSecret: boolean, wantToken: boolean): Promise<StdinSecrets> {
  if (!wantSecret && !wantToken) return {};
  const lines = await readStdinLines();
  const expected = (wantSecret ? 1 : 0) + (wantToken ? 1 : 0);
  if (lines.length < expected) {
    throw new AppError(
      'SecretMissing',
      `Expected ${expected} line(s) on stdin (${[wantSecret && 'secret access key', wantToken && 'session token'].filter(Boolean).join(', then ')}), got ${lines.length}.`,
      {
        hint: 'Pipe the secret in, e.g. `pass show s3/farm | winnow dataset create ... --secret-access-key-stdin`.',
      },
    );
  }
  return {
    secretAccessKey: wantSecret ? lines[0]!.trim() : undefined,
    sessionToken: wantToken ? lines[wantSecret ? 1 : 0]!.trim() : undefined,
  };
}

/** The first line of stdin, for one secret passed with a `--*-stdin` flag. */
export async function readOneSecretFromStdin(label: string, flag: string): Promise<string> {
  const [line] = await readStdinLines();
  if (line === undefined) {
    throw new AppError('SecretMissing', `Expected the ${label} on stdin (${flag}), got nothing.`, {
      hint: `Pipe it in, e.g. \`pass show azure/farm | winnow dataset create ... ${flag}\`.`,
    });
  }
  return line.trim();
}
