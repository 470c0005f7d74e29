import { realpath } from 'node:fs/promises';
import { basename, dirname, join, relative, sep, isAbsolute } from 'node:path';
import type { Config } from '../config/config.js';
import { AppError } from '../errors.js';
import type { EndpointRules } from './endpoint-guard.js';

/**
 * What a dataset may point at, which depends on who asks: the machine's own user at the CLI, or
 * anyone holding an API token of `winnow serve`.
 */
export interface AccessRules {
  endpoints: EndpointRules;
  /** Folders local datasets may live under; 'anywhere' for the CLI. */
  localRoots: readonly string[] | 'anywhere';
  /** Winnow's own folder (catalog, master key): never part of a dataset. */
  dataDir: string;
}

export function cliAccessRules(config: Config): AccessRules {
  return { endpoints: { privateAddresses: true, linkLocalAddresses: config.allowLinkLocalEndpoints }, localRoots: 'anywhere', dataDir: config.home };
}

export function apiAccessRules(config: Config): AccessRules {
  return {
    endpoints: { privateAddresses: config.apiAllowPrivateEndpoints, linkLocalAddresses: config.allowLinkLocalEndpoints },
    localRoots: config.localRoots,
    dataDir: config.home,
  };
}

/** `path` with every symlink of its longest existing ancestor resolved (a folder need not exist yet). */
export async function resolveExisting(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      missing.push(basename(current));
      current = parent;
    }
  }
}

export function isInsideFolder(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/**
 * Refuses a local folder that holds Winnow's data dir or lies inside it, and, for API users, one
 * outside the operator's local roots. Checked on the folder's real path, symlinks resolved.
 */
export async function checkLocalFolder(folder: string, rules: AccessRules, label: string): Promise<void> {
  const real = await resolveExisting(folder);
  const dataDir = await resolveExisting(rules.dataDir);
  if (isInsideFolder(real, dataDir) || isInsideFolder(dataDir, real)) {
    throw new AppError(
      'LocalFolderRefused',
      `The ${label} folder ${folder} ${isInsideFolder(real, dataDir) ? 'contains' : 'is inside'} Winnow's data folder ${rules.dataDir}, which holds the catalog and the master key.`,
      {
        hint: 'Pick a folder of images that does not contain the data folder, or move the data folder elsewhere with WINNOW_HOME.',
      },
    );
  }
  if (rules.localRoots === 'anywhere') return;
  const roots = await Promise.all(rules.localRoots.map(resolveExisting));
  if (roots.some((root) => isInsideFolder(root, real))) return;
  throw new AppError(
    'LocalFolderRefused',
    rules.localRoots.length === 0
      ? `Local folders cannot be added through the API of this server (the ${label} ${folder} was refused).`
      : `The ${label} folder ${folder} is outside the folders this server allows (${rules.localRoots.join(', ')}).`,
    {
      hint: 'The operator lists the folders API users may use in WINNOW_LOCAL_ROOTS (or --local-roots); the CLI (`winnow dataset create`) may use any folder.',
      webHint: 'Ask whoever runs this Winnow server to allow the folder (WINNOW_LOCAL_ROOTS), or use an s3:// location.',
    },
  );
}
