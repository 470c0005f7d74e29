import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretBox, loadMasterKey } from './secret-box.js';

describe('secret box', () => {
  it('round-trips a secret and never stores it in clear', () => {
    const box = createSecretBox(loadMasterKey(mkdtempSync(join(tmpdir(), 'winnow-key-'))));
    const sealed = box.seal('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'ds-1');
    expect(sealed).not.toContain('wJalrXUtnFEMI');
    expect(box.open(sealed, 'ds-1')).toBe('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
  });

  it('refuses a ciphertext moved to another owner or opened with another key', () => {
    const box = createSecretBox(loadMasterKey(mkdtempSync(join(tmpdir(), 'winnow-key-'))));
    const other = createSecretBox(loadMasterKey(mkdtempSync(join(tmpdir(), 'winnow-key-'))));
    const sealed = box.seal('secret', 'ds-1');
    expect(() => box.open(sealed, 'ds-2')).toThrow(/cannot be decrypted/);
    expect(() => other.open(sealed, 'ds-1')).toThrow(/cannot be decrypted/);
  });

  it('creates the master key file readable by its owner only', () => {
    const home = mkdtempSync(join(tmpdir(), 'winnow-key-'));
    const first = loadMasterKey(home);
    expect(statSync(join(home, 'master.key')).mode & 0o777).toBe(0o600);
    expect(loadMasterKey(home).equals(first)).toBe(true);
  });

  it('reads the key from a file of its own and then leaves the data folder without one', () => {
    const home = mkdtempSync(join(tmpdir(), 'winnow-key-'));
    const file = join(mkdtempSync(join(tmpdir(), 'winnow-key-elsewhere-')), 'winnow.key');
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString('base64')}\n`);
    expect(loadMasterKey(home, { file }).equals(key)).toBe(true);
    expect(existsSync(join(home, 'master.key'))).toBe(false);
  });

  it('never creates a named key file: a missing or malformed one is a configuration error naming the file', () => {
    const home = mkdtempSync(join(tmpdir(), 'winnow-key-'));
    const missing = join(home, 'mounted', 'winnow.key');
    expect(() => loadMasterKey(home, { file: missing })).toThrow(`The master key file ${missing} (WINNOW_MASTER_KEY_FILE) cannot be read: ENOENT.`);
    expect(existsSync(missing)).toBe(false);
    const short = join(home, 'short.key');
    writeFileSync(short, 'c2hvcnQ=');
    expect(() => loadMasterKey(home, { file: short })).toThrow(/is not 32 bytes of base64/);
  });

  it('prefers the key given as base64 over any file', () => {
    const key = randomBytes(32);
    expect(loadMasterKey(mkdtempSync(join(tmpdir(), 'winnow-key-')), { key: key.toString('base64') }).equals(key)).toBe(true);
  });
});
