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
          hint: 'Use the WINNOW_HOME (or WINNOW_MASTER_KEY) the dataset was created with, or re-enter the credentials.',
        });
      }
    },
  };
}

/** Reads the master key from config, or from `<home>/master.key`, creating it (mode 0600) on first use. */
export function loadMasterKey(home: string, fromConfig: string | undefined): Buffer {
  if (fromConfig !== undefined) return Buffer.from(fromConfig, 'base64');
  const file = join(home, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) {
    throw new AppError('ConfigInvalid', `The master key in ${file} is not 32 bytes of base64.`, {
      hint: 'Restore the original master.key; without it stored credentials cannot be read.',
    });
  }
  return key;
}
