import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretBox, loadMasterKey } from './secret-box.js';

describe('secret box', () => {
  it('round-trips a secret and never stores it in clear', () => {
    const box = createSecretBox(loadMasterKey(mkdtempSync(join(tmpdir(), 'winnow-key-')), undefined));
    const sealed = box.seal('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'ds-1');
    expect(sealed).not.toContain('wJalrXUtnFEMI');
    expect(box.open(sealed, 'ds-1')).toBe('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
  });

  it('refuses a ciphertext moved to another owner or opened with another key', () => {
    const box = createSecretBox(loadMasterKey(mkdtempSync(join(tmpdir(), 'winnow-key-')), undefined));
    const other = createSecretBox(loadMasterKey(mkdtempSync(join(tmpdir(), 'winnow-key-')), undefined));
    const sealed = box.seal('secret', 'ds-1');
    expect(() => box.open(sealed, 'ds-2')).toThrow(/cannot be decrypted/);
    expect(() => other.open(sealed, 'ds-1')).toThrow(/cannot be decrypted/);
  });

  it('creates the master key file readable by its owner only', () => {
    const home = mkdtempSync(join(tmpdir(), 'winnow-key-'));
    const first = loadMasterKey(home, undefined);
    expect(statSync(join(home, 'master.key')).mode & 0o777).toBe(0o600);
    expect(loadMasterKey(home, undefined).equals(first)).toBe(true);
  });
});
