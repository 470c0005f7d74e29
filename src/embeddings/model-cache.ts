import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.js';

/** What `<name>.onnx.json` records beside a cached model. */
export interface ModelSidecar {
  name: string;
  sha256: string;
  bytes: number;
  /** What produced the file and its version: a cached file from another builder version is rebuilt. */
  builder: string;
  builderVersion: string;
  /** Where the weights came from, e.g. `nsfwjs@4.4.0 dist/models/mobilenet_v2_mid`. */
  source: string;
  createdAt: string;
}

export interface CachedModel {
  path: string;
  sidecar: ModelSidecar;
  /** True when this call built the file (first use, another builder version, or a damaged file). */
  built: boolean;
  /** Why it was built: `missing`, `outdated` or `damaged`. */
  reason?: 'missing' | 'outdated' | 'damaged';
  /** Time spent building and writing, when built. */
  buildMs?: number;
}

export interface ModelRecipe {
  name: string;
  builder: string;
  builderVersion: string;
  source: string;
  build: () => Uint8Array | Promise<Uint8Array>;
}

const pending = new Map<string, Promise<CachedModel>>();

/**
 * Returns `<modelsDir>/<name>.onnx`, building it first when it is missing, was built by another
 * builder version or from another source, or no longer matches the sha256 its sidecar records.
 * Each file is written to a temporary name, synced and renamed, the model before its sidecar, so a
 * crash leaves either the old state or a model without a matching sidecar (rebuilt next time);
 * concurrent builders write identical bytes. Concurrent calls in one process share one build.
 */
export function ensureCachedModel(modelsDir: string, recipe: ModelRecipe, now: () => Date = () => new Date()): Promise<CachedModel> {
  const path = join(modelsDir, `${recipe.name}.onnx`);
  let result = pending.get(path);
  if (!result) {
    result = ensure(modelsDir, path, recipe, now).finally(() => pending.delete(path));
    pending.set(path, result);
  }
  return result;
}

async function ensure(modelsDir: string, path: string, recipe: ModelRecipe, now: () => Date): Promise<CachedModel> {
  const sidecarPath = `${path}.json`;
  const sidecar = await readSidecar(sidecarPath);
  let reason: CachedModel['reason'] = 'missing';
  if (sidecar) {
    if (sidecar.builder !== recipe.builder || sidecar.builderVersion !== recipe.builderVersion || sidecar.source !== recipe.source) {
      reason = 'outdated';
    } else {
      const bytes = await readFile(path).catch(() => undefined);
      if (bytes && bytes.length === sidecar.bytes && sha256(bytes) === sidecar.sha256) return { path, sidecar, built: false };
      reason = bytes ? 'damaged' : 'missing';
    }
  }

  const started = performance.now();
  const bytes = await recipe.build();
  const built: ModelSidecar = {
    name: recipe.name,
    sha256: sha256(bytes),
    bytes: bytes.length,
    builder: recipe.builder,
    builderVersion: recipe.builderVersion,
    source: recipe.source,
    createdAt: now().toISOString(),
  };
  try {
    await mkdir(modelsDir, { recursive: true });
    await writeAtomically(path, bytes);
    await writeAtomically(sidecarPath, new TextEncoder().encode(`${JSON.stringify(built, null, 2)}\n`));
    await syncFolder(modelsDir);
  } catch (error) {
    throw new AppError('ConfigInvalid', `Cannot write the model cache ${path}: ${(error as Error).message}`, {
      cause: error,
      hint: 'Winnow keeps models in <home>/models: set --home or WINNOW_HOME to a folder it may write.',
    });
  }
  return { path, sidecar: built, built: true, reason, buildMs: performance.now() - started };
}

async function readSidecar(path: string): Promise<ModelSidecar | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<ModelSidecar>;
    return typeof parsed.sha256 === 'string' && typeof parsed.bytes === 'number' ? (parsed as ModelSidecar) : undefined;
  } catch {
    return undefined;
  }
}

async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'w', 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
