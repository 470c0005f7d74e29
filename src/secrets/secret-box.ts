import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors.js';

const FORMAT_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Seals and opens small secrets with AES-256-GCM; `context` binds a ciphertext to its owner (e.g. a datasource id). */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

export function createSecretBox(masterKey: Buffer): SecretBox {
  if (masterKey.length !== 32) throw new AppError('ConfigInvalid', 'The master key must be 32 bytes.');
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${FORMAT_VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    open(sealed, context) {
      const [version, payload] = sealed.split(':', 2);
      if (version !== FORMAT_VERSION || payload === undefined) {
        throw new AppError('SecretUndecryptable', 'A stored secret has an unknown format.');
      }
      const bytes = Buffer.from(payload, 'base64');
      try {
        const decipher = createDecipheriv('aes-256-gcm', masterKey, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new AppError('SecretUndecryptable', 'A stored secret cannot be decrypted with this master key.', {
          cause: error,
          hint: 'Use the master key the dataset was created with (WINNOW_HOME, WINNOW_MASTER_KEY or WINNOW_MASTER_KEY_FILE), or re-enter the credentials.',
        });
      }
    },
  };
}

/** Where the master key comes from: its base64 (WINNOW_MASTER_KEY), a file of its own (WINNOW_MASTER_KEY_FILE), or neither. */
export interface MasterKeySource {
  key?: string | undefined;
  file?: string | undefined;
}

/**
 * Reads the master key from `source`, or from `<home>/master.key`, creating that (mode 0600) on first use.
 * A key file named by the operator is never created: a missing mount must not silently become a new key.
 */
export function loadMasterKey(home: string, source: MasterKeySource = {}): Buffer {
  if (source.key !== undefined) return Buffer.from(source.key, 'base64');
  if (source.file !== undefined)
    return readKeyFile(source.file, 'WINNOW_MASTER_KEY_FILE', `Restore ${source.file}, or create a new key there: openssl rand -base64 32 > ${source.file}.`);
  const file = join(home, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return readKeyFile(file, 'master.key', 'Restore the original master.key; without it stored credentials cannot be read.');
}

function readKeyFile(file: string, label: string, hint: string): Buffer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('ConfigInvalid', `The master key file ${file} (${label}) cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`, {
      cause: error,
      hint,
    });
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new AppError('ConfigInvalid', `The master key in ${file} is not 32 bytes of base64.`, { hint });
  return key;
}
