import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * The dependency install scripts Winnow runs, each with why it must run. An approval in
 * package.json#allowScripts that is not here fails the suite, so `npm install-scripts approve --all`
 * cannot quietly let a new script in: review it, approve it with npm and add it here.
 */
const REVIEWED_APPROVALS: Record<string, string> = {
  'better-sqlite3': 'builds the SQLite catalog addon (prebuild-install, else node-gyp)',
  esbuild: 'checks the platform binary that tsx and Vite call (and fetches it from the npm registry when optional dependencies were skipped)',
};

interface PackageJson {
  allowScripts?: Record<string, boolean>;
  scarfSettings?: { enabled?: boolean };
}

interface LockfileEntry {
  name?: string;
  version?: string;
  hasInstallScript?: boolean;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(resolve(ROOT, file), 'utf8')) as T;
}

/** Name and version range of an allowScripts key: `pkg`, `pkg@*`, `@scope/pkg@1.2.3 || 1.2.4`. */
function parsePolicyKey(key: string): { name: string; versions: string[] | 'any' } {
  const at = key.indexOf('@', 1);
  if (at === -1) return { name: key, versions: 'any' };
  const spec = key.slice(at + 1).trim();
  return { name: key.slice(0, at), versions: spec === '' || spec === '*' ? 'any' : spec.split('||').map((v) => v.trim()) };
}

/** What npm does with a package's install scripts under this policy: run them, skip them, or (undefined) nobody decided. */
function verdict(policy: Record<string, boolean>, name: string, version: string): boolean | undefined {
  let allowed: boolean | undefined;
  for (const [key, value] of Object.entries(policy)) {
    const { name: keyName, versions } = parsePolicyKey(key);
    if (keyName !== name || (versions !== 'any' && !versions.includes(version))) continue;
    if (value === false) return false; // a denial wins, as in npm
    allowed = true;
  }
  return allowed;
}

/** Every package of the lockfile that declares an install script (preinstall, install, postinstall or a binding.gyp). */
function packagesWithInstallScripts(): { name: string; version: string; path: string }[] {
  const lockfile = readJson<{ packages: Record<string, LockfileEntry> }>('package-lock.json');
  return Object.entries(lockfile.packages)
    .filter(([path, entry]) => path !== '' && entry.hasInstallScript === true)
    .map(([path, entry]) => ({
      name: entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length),
      version: entry.version ?? '',
      path,
    }));
}

describe('dependency install scripts', () => {
  const packageJson = readJson<PackageJson>('package.json');
  const policy = packageJson.allowScripts ?? {};

  it('has every lockfile package with an install script approved or denied in package.json#allowScripts', () => {
    const unreviewed = packagesWithInstallScripts()
      .filter(({ name, version }) => verdict(policy, name, version) === undefined)
      .map(({ name, version, path }) => `${name}@${version} (${path})`);
    expect(
      unreviewed,
      'Review these install scripts, then `npm install-scripts deny <pkg>`, or `npm install-scripts approve <pkg>` ' +
        'and add the package with its reason to REVIEWED_APPROVALS in test/install-scripts.test.ts',
    ).toEqual([]);
  });

  it('approves only the install scripts reviewed here', () => {
    const approved = Object.entries(policy)
      .filter(([, value]) => value)
      .map(([key]) => parsePolicyKey(key).name);
    expect(approved.filter((name) => !(name in REVIEWED_APPROVALS))).toEqual([]);
  });

  it('denies the ones that download or phone home at install', () => {
    expect(policy['@scarf/scarf']).toBe(false); // install analytics, brought by swagger-ui-dist
    expect(policy['onnxruntime-node']).toBe(false); // its CPU binaries are in the package; the script only downloads CUDA ones
    expect(packageJson.scarfSettings?.enabled).toBe(false); // Scarf's own opt-out, for an npm that ignores allowScripts
  });

  it('leaves npm nothing unreviewed in node_modules', (context) => {
    const result = spawnSync('npm', ['install-scripts', 'ls', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    // npm 10 and early npm 11 have no `install-scripts` and ignore allowScripts; the lockfile check above still holds.
    if (result.status !== 0 && /Unknown command/i.test(result.stderr)) context.skip();
    expect(result.status, result.stderr).toBe(0);
    const pending = (JSON.parse(result.stdout) as { allowScripts: { changes: { key: string }[] }[] }).allowScripts.flatMap((entry) =>
      entry.changes.map((change) => change.key),
    );
    expect(pending, 'npm install-scripts ls').toEqual([]);
  });
});
