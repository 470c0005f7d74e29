import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { findModelByName, listModels, saveModel, type EmbeddingModel } from '../catalog/embedding-model.repository.js';
import type { ModelVersion } from '../catalog/embedding.repository.js';
import { DEFAULT_MODEL_DIMENSIONS, DEFAULT_MODEL_SPEC, ensureDefaultModel } from '../embeddings/default-model.js';
import { validateImageEncoderSpec, type ImageEncoderSpec } from '../embeddings/image-encoder.js';
import { openOnnxImageEncoder } from '../embeddings/onnx.image-encoder.js';
import { AppError, quoteInput } from '../errors.js';
import type { WorkflowDeps } from './workflow-deps.js';

export type ModelDeps = Pick<WorkflowDeps, 'config' | 'database' | 'clock' | 'log'>;

/** The name `winnow embed` uses when no `--model` is given: the bundled MobileNetV2 (see default-model.ts). */
export const DEFAULT_MODEL = 'default';
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export interface AddModelRequest {
  name: string;
  /** The user's .onnx file; Winnow keeps its own copy in `<home>/models/`. */
  file: string;
  spec: ImageEncoderSpec;
}

/** Where the catalog keeps model files on this machine. */
export function modelsDir(deps: Pick<WorkflowDeps, 'config'>): string {
  return join(deps.config.home, 'models');
}

export function modelVersion(model: EmbeddingModel): ModelVersion {
  return { id: model.id, sha256: model.sha256 };
}

export function modelSpec(model: EmbeddingModel): ImageEncoderSpec {
  return { inputSize: model.inputSize, layout: model.layout, mean: model.mean, std: model.std, output: model.output };
}

/**
 * `winnow model add`: checks the settings, opens the model and runs it once on blank images
 * (so a bad model is refused now, not mid-run), then copies the file into `<home>/models/` and
 * registers it. Registering a name again with another file replaces it; the old file's vectors
 * stay tagged with its sha256 and are recomputed by the next `winnow embed`.
 */
export async function addModel(deps: ModelDeps, request: AddModelRequest): Promise<EmbeddingModel> {
  if (!NAME.test(request.name) || request.name === DEFAULT_MODEL) {
    throw new AppError(
      'InputInvalid',
      `Invalid model name ${quoteInput(request.name)}: use 1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit${request.name === DEFAULT_MODEL ? ` ("${DEFAULT_MODEL}" is the bundled model)` : ''}.`,
    );
  }
  const spec = validateImageEncoderSpec(request.spec);
  const file = resolve(request.file);
  const encoder = await openOnnxImageEncoder(file, spec, { threads: 1 });
  const dimensions = encoder.dimensions;
  const output = encoder.plan.output;
  await encoder.close();
  const { sha256, bytes } = await hashFile(file);
  const fileName = `${request.name}-${sha256.slice(0, 12)}.onnx`;
  await copyAtomically(file, join(modelsDir(deps), fileName));
  const model = await saveModel(deps.database.db, {
    id: randomUUID(),
    name: request.name,
    fileName,
    sha256,
    bytes,
    inputSize: spec.inputSize,
    layout: spec.layout,
    mean: [...spec.mean] as [number, number, number],
    std: [...spec.std] as [number, number, number],
    output,
    dimensions,
    source: 'user',
    createdAt: deps.clock().toISOString(),
  });
  deps.log.info({ model: model.name, sha256, dimensions }, 'model registered');
  return model;
}

/** Every registered model, the bundled one first (registered on first use). */
export async function listRegisteredModels(deps: ModelDeps): Promise<EmbeddingModel[]> {
  const bundled = await ensureDefaultRegistered(deps);
  return [bundled, ...(await listModels(deps.database.db)).filter((model) => model.name !== DEFAULT_MODEL)];
}

/** A registered model by name (`default` when none is given), with its file on this machine checked against its sha256. */
export async function resolveModel(deps: ModelDeps, name: string | undefined): Promise<{ model: EmbeddingModel; path: string }> {
  if (name === undefined || name === DEFAULT_MODEL) {
    const model = await ensureDefaultRegistered(deps);
    return { model, path: join(modelsDir(deps), model.fileName) };
  }
  const model = await findRegisteredModel(deps, name);
  if (model.source === 'imported') {
    throw new AppError('ModelUnreadable', `Model "${model.name}" holds imported vectors only; Winnow has no ONNX file to embed with.`, {
      hint: `Register its file with \`winnow model add ${model.name} --onnx <file> ...\` (its imported vectors then count as stale).`,
    });
  }
  const path = join(modelsDir(deps), model.fileName);
  const found = await hashFile(path).catch(() => undefined);
  if (found?.sha256 !== model.sha256) {
    throw new AppError(
      'ModelUnreadable',
      `The file of model "${model.name}" (${path}) is ${found === undefined ? 'missing' : 'not the one registered (its sha256 differs)'} on this machine.`,
      {
        hint: `Register it again here: winnow model add ${model.name} --onnx <file> ... (every machine sharing the catalog needs the same file in <home>/models/).`,
      },
    );
  }
  return { model, path };
}

/** The catalog's row of a model, without opening its file (exports, imports, maps). */
export async function findRegisteredModel(deps: ModelDeps, name: string | undefined): Promise<EmbeddingModel> {
  if (name === undefined || name === DEFAULT_MODEL) return ensureDefaultRegistered(deps);
  const model = await findModelByName(deps.database.db, name);
  if (model) return model;
  const known = [DEFAULT_MODEL, ...(await listModels(deps.database.db)).map((entry) => entry.name).filter((entry) => entry !== DEFAULT_MODEL)];
  throw new AppError('ModelNotFound', `No model named ${quoteInput(name)}; registered: ${known.join(', ')}.`, {
    hint: 'Register one with `winnow model add <name> --onnx <file> ...`; `winnow model list` shows them.',
  });
}

/** Converts the bundled model on first use and keeps its catalog row in step with the file. */
async function ensureDefaultRegistered(deps: ModelDeps): Promise<EmbeddingModel> {
  const cached = await ensureDefaultModel(modelsDir(deps));
  const existing = await findModelByName(deps.database.db, DEFAULT_MODEL);
  if (existing?.sha256 === cached.sidecar.sha256) return existing;
  return saveModel(deps.database.db, {
    id: existing?.id ?? randomUUID(),
    name: DEFAULT_MODEL,
    fileName: `${cached.sidecar.name}.onnx`,
    sha256: cached.sidecar.sha256,
    bytes: cached.sidecar.bytes,
    inputSize: DEFAULT_MODEL_SPEC.inputSize,
    layout: DEFAULT_MODEL_SPEC.layout,
    mean: [...DEFAULT_MODEL_SPEC.mean] as [number, number, number],
    std: [...DEFAULT_MODEL_SPEC.std] as [number, number, number],
    output: DEFAULT_MODEL_SPEC.output!,
    dimensions: DEFAULT_MODEL_DIMENSIONS,
    source: 'default',
    createdAt: deps.clock().toISOString(),
  });
}

async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), bytes: (await stat(path)).size };
}

async function copyAtomically(from: string, to: string): Promise<void> {
  const temporary = `${to}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(join(to, '..'), { recursive: true });
    await copyFile(from, temporary);
    await rename(temporary, to);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new AppError('ConfigInvalid', `Cannot copy the model into ${to}: ${(error as Error).message}`, {
      cause: error,
      hint: 'Winnow keeps models in <home>/models: set --home or WINNOW_HOME to a folder it may write.',
    });
  }
}
