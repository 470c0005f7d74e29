import { describeError, ERROR_OUTCOMES, isAppError } from '../errors.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => {
    process.stdout.write(`${text}\n`);
  },
  err: (text) => {
    process.stderr.write(`${text}\n`);
  },
};

export function exitCodeFor(error: unknown): number {
  return isAppError(error) ? ERROR_OUTCOMES[error.code].exit : 1;
}

/** Prints an error as one readable line plus its fix, or as `{ error }` JSON for scripts. */
export function renderError(output: Output, error: unknown, json: boolean): void {
  const appError = isAppError(error) ? error : undefined;
  if (json) {
    output.out(
      JSON.stringify(
        { error: { code: appError?.code ?? 'InternalError', message: describeError(error), hint: appError?.hint ?? null, details: appError?.details ?? {} } },
        null,
        2,
      ),
    );
    return;
  }
  output.err(`error: ${describeError(error)}`);
  if (appError?.hint) output.err(`  fix: ${appError.hint}`);
  if (!appError && error instanceof Error && error.stack) output.err(error.stack);
}

export function printJson(output: Output, value: unknown): void {
  output.out(JSON.stringify(value, null, 2));
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Left-aligned columns, for tables on a terminal. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => [...(row[column] ?? '')].length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')).join('\n');
}
