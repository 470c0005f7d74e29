import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { loadConfig } from './config.js';

function home(config?: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'winnow-config-'));
  if (config) writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

describe('loadConfig', () => {
  it('takes flag over environment over config file over default', () => {
    const dir = home({ probeConcurrency: 3, logLevel: 'debug', s3MaxAttempts: 7 });
    const config = loadConfig({ home: dir, probeConcurrency: '5' }, { WINNOW_PROBE_CONCURRENCY: '4', WINNOW_LOG_LEVEL: 'error' });
    expect(config.probeConcurrency).toBe(5);
    expect(config.logLevel).toBe('error');
    expect(config.s3MaxAttempts).toBe(7);
    expect(config.s3ConnectTimeoutMs).toBe(5_000);
    expect(config.home).toBe(dir);
  });

  it('uses WINNOW_DATABASE_URL for PostgreSQL', () => {
    expect(loadConfig({ home: home() }, { WINNOW_DATABASE_URL: 'postgres://u@h/db' }).databaseUrl).toBe('postgres://u@h/db');
  });

  it('reports every bad value together, naming where it came from', () => {
    let caught: unknown;
    try {
      loadConfig(
        { home: home({ s3MaxAttempts: 0, colour: 'blue' }), probeConcurrency: 'many' },
        { WINNOW_DATABASE_URL: 'mysql://x', WINNOW_MASTER_KEY: 'short' },
      );
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught, 'ConfigInvalid')).toBe(true);
    const message = (caught as Error).message;
    expect(message).toContain('--probe-concurrency=many (flag)');
    expect(message).toContain('WINNOW_DATABASE_URL=mysql://x (environment): must start with postgres://');
    expect(message).toContain('WINNOW_MASTER_KEY=<hidden> (environment)');
    expect(message).not.toContain('short');
    expect(message).toContain('s3MaxAttempts=0 (config file): must be at least 1');
    expect(message).toContain('unknown setting "colour"');
  });

  it('hides a bad master key from the config file too', () => {
    expect(() => loadConfig({ home: home({ masterKey: 'not-a-key-CANARY' }) }, {})).toThrow(/masterKey=<hidden> \(config file\)/);
    expect(() => loadConfig({ home: home({ masterKey: 'not-a-key-CANARY' }) }, {})).not.toThrow(/CANARY/);
  });

  it('takes the master key from a file of its own, and refuses it given two ways', () => {
    const dir = home();
    expect(loadConfig({ home: dir }, { WINNOW_MASTER_KEY_FILE: 'keys/master.key' }).masterKeyFile).toBe(resolve('keys/master.key'));
    expect(() => loadConfig({ home: dir }, { WINNOW_MASTER_KEY_FILE: '/run/secrets/winnow', WINNOW_MASTER_KEY: randomBytes(32).toString('base64') })).toThrow(
      /WINNOW_MASTER_KEY and WINNOW_MASTER_KEY_FILE are both set/,
    );
  });

  it('complains about a named config file that does not exist', () => {
    expect(() => loadConfig({ home: home(), configFile: '/nonexistent/winnow.json' }, {})).toThrow(/does not exist/);
  });

  it('keeps the server closed by default: no local roots, no private or link-local endpoints for API users', () => {
    const config = loadConfig({ home: home() }, {});
    expect(config).toMatchObject({ localRoots: [], apiAllowPrivateEndpoints: false, allowLinkLocalEndpoints: false, allowedHosts: [], apiBodyLimitKb: 1_024 });
    expect(config.s3CallDeadlineMs).toBeLessThanOrEqual(60_000);
  });

  it("reads the operator's local roots, endpoint rules and host names", () => {
    const config = loadConfig(
      { home: home({ allowedHosts: ['winnow.example.com'] }) },
      { WINNOW_LOCAL_ROOTS: '/data/images:/srv/photos/', WINNOW_API_ALLOW_PRIVATE_ENDPOINTS: 'true', WINNOW_ALLOW_LINK_LOCAL_ENDPOINTS: '0' },
    );
    expect(config).toMatchObject({
      localRoots: ['/data/images', '/srv/photos'],
      apiAllowPrivateEndpoints: true,
      allowLinkLocalEndpoints: false,
      allowedHosts: ['winnow.example.com'],
    });
    expect(() => loadConfig({ home: home() }, { WINNOW_LOCAL_ROOTS: 'relative/folder' })).toThrow(
      /WINNOW_LOCAL_ROOTS=relative\/folder \(environment\): must be absolute paths/,
    );
    expect(() => loadConfig({ home: home() }, { WINNOW_API_ALLOW_PRIVATE_ENDPOINTS: 'yes' })).toThrow(/must be true or false/);
  });
});
