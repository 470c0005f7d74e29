import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AppError } from '../errors.js';
import type { TfjsGraphModel } from './tfjs-graph-model.js';

const require = createRequire(import.meta.url);

export interface NsfwjsGraphModelFiles {
  model: TfjsGraphModel;
  /** The weight shards' bytes, concatenated in manifest order. */
  weightData: Uint8Array;
  /** nsfwjs's version, e.g. `4.4.0`. */
  version: string;
  folder: string;
}

/**
 * Reads a TFJS graph model shipped inside the nsfwjs package (`dist/models/<folder>/`). nsfwjs
 * bundles each file as a small CommonJS module: `model.min.js` exports the model JSON and each
 * `group1-shardNofM.min.js` exports its shard's bytes as a base64 string.
 */
export function readNsfwjsGraphModel(folder: string): NsfwjsGraphModelFiles {
  const root = nsfwjsRoot();
  const version = nsfwjsVersion();
  const modelFolder = join(root, 'dist', 'models', folder);
  const model = load<TfjsGraphModel>(join(modelFolder, 'model.min.js'));
  if (!model || typeof model !== 'object' || !Array.isArray(model.weightsManifest)) {
    throw new AppError('ModelUnreadable', `${join(modelFolder, 'model.min.js')} does not hold a TFJS graph model.`);
  }
  const shards = model.weightsManifest
    .flatMap((group) => group.paths)
    .map((path) => {
      const base64 = load<unknown>(join(modelFolder, `${path}.min.js`));
      if (typeof base64 !== 'string') throw new AppError('ModelUnreadable', `${join(modelFolder, `${path}.min.js`)} does not hold a weight shard.`);
      return Buffer.from(base64, 'base64');
    });
  return { model, weightData: new Uint8Array(Buffer.concat(shards)), version, folder: modelFolder };
}

/** The installed nsfwjs's version; a cached conversion from another version is rebuilt. */
export function nsfwjsVersion(): string {
  return (JSON.parse(readFileSync(join(nsfwjsRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function nsfwjsRoot(): string {
  let entry: string;
  try {
    entry = require.resolve('nsfwjs');
  } catch (error) {
    throw new AppError('ModelUnreadable', 'The nsfwjs package, which ships the default embedding model, is not installed.', {
      cause: error,
      hint: 'Run `npm ci` in the Winnow folder.',
    });
  }
  // Its package.json is not exported; walk up from the entry point (dist/cjs/index.js).
  for (let folder = dirname(entry); folder !== dirname(folder); folder = dirname(folder)) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: string };
      if (manifest.name === 'nsfwjs') return folder;
    } catch {
      // no package.json here, or one of nsfwjs's own nested ones without a name
    }
  }
  throw new AppError('ModelUnreadable', `Cannot find the nsfwjs package folder above ${entry}.`);
}

function load<T>(path: string): T {
  try {
    return require(path) as T;
  } catch (error) {
    throw new AppError('ModelUnreadable', `Cannot read ${path}: ${(error as Error).message}`, { cause: error, hint: 'Reinstall with `npm ci`.' });
  } finally {
    // Read once per conversion; keeping a 5 MB base64 string in the module cache serves nothing.
    delete require.cache[path];
  }
}
