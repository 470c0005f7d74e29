import pino, { type Logger } from 'pino';

export type { Logger };

/** Field names whose values never reach a log line, wherever they are nested. */
const SECRET_FIELDS = ['secretAccessKey', 'sessionToken', 'sasToken', 'accountKey', 'secret', 'password', 'authorization', 'masterKey', 'secret_ciphertext'];

export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]), censor: '[redacted]' },
    },
    pino.destination(2),
  );
}
