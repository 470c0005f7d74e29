import { randomUUID } from 'node:crypto';
import { requireDatasetRow } from '../catalog/dataset.service.js';
import type { Dataset } from '../catalog/dataset.repository.js';
import { findSamplesByKeys } from '../catalog/sample.repository.js';
import {
  appendTagMembers,
  clearTagMembers,
  deleteTag as deleteTagRow,
  findTag,
  insertTag,
  listTagMemberIds,
  listTags,
  updateTag,
  type Tag,
  type TagWithSize,
} from '../catalog/tag.repository.js';
import { findSampleKeys } from '../catalog/embedding.repository.js';
import { AppError, quoteInput } from '../errors.js';
import type { WorkflowDeps } from './workflow-deps.js';

export type TagDeps = Pick<WorkflowDeps, 'database' | 'clock' | 'log'>;

const TAG_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const KEY_CHUNK = 1_000;

export interface TagView {
  name: string;
  description: string | null;
  size: number;
  createdAt: string;
  updatedAt: string;
}

export function validateTagName(name: string): string {
  if (!TAG_NAME.test(name))
    throw new AppError('InputInvalid', `${quoteInput(name)} is not a valid tag name.`, {
      hint: 'Use 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit.',
    });
  return name;
}

export async function requireTag(deps: Pick<TagDeps, 'database'>, dataset: Dataset, name: string): Promise<Tag> {
  const tag = await findTag(deps.database.db, dataset.id, name);
  if (!tag) {
    const known = (await listTags(deps.database.db, dataset.id)).map((entry) => entry.name);
    throw new AppError(
      'TagNotFound',
      `Dataset "${dataset.name}" has no tag ${quoteInput(name)}${known.length > 0 ? `; its tags: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}` : ''}.`,
      {
        hint: 'List them with `winnow tags list <dataset>`.',
        webHint: "The Tags panel lists the dataset's tags.",
      },
    );
  }
  return tag;
}

function view(tag: Tag, size: number): TagView {
  return { name: tag.name, description: tag.description, size, createdAt: tag.createdAt, updatedAt: tag.updatedAt };
}

export type TagSaveMode = 'create' | 'replace' | 'append';

export interface SaveTagRequest {
  name: string;
  description?: string | undefined;
  /** Samples in the order they were chosen. */
  sampleIds: readonly number[];
  /** `create` refuses a name in use; `replace` empties an existing tag first; `append` keeps its members and adds the new ones after them. */
  mode: TagSaveMode;
}

/** Creates (or rewrites, or extends) a tag with the given samples, in one transaction. */
export async function saveTag(deps: TagDeps, dataset: Dataset, request: SaveTagRequest): Promise<TagView> {
  validateTagName(request.name);
  const now = deps.clock().toISOString();
  const tag = await deps.database.db.transaction().execute(async (trx) => {
    let existing = await findTag(trx, dataset.id, request.name);
    if (!existing) {
      existing = { id: randomUUID(), datasetId: dataset.id, name: request.name, description: request.description ?? null, createdAt: now, updatedAt: now };
      await insertTag(trx, existing);
    } else {
      if (request.mode === 'create') throw tagExists(dataset, request.name);
      await updateTag(trx, existing.id, { updatedAt: now, ...(request.description === undefined ? {} : { description: request.description }) });
      if (request.mode === 'replace') await clearTagMembers(trx, existing.id);
    }
    await appendTagMembers(trx, existing.id, request.sampleIds);
    return existing;
  });
  deps.log.info({ dataset: dataset.name, tag: tag.name, added: request.sampleIds.length }, 'tag saved');
  return view({ ...tag, description: request.description ?? tag.description, updatedAt: now }, (await listTagMemberIds(deps.database.db, tag.id)).length);
}

/** Sample ids of keys (relative to the input), with every key that is not a live sample named by its line. */
export async function resolveKeys(
  deps: Pick<TagDeps, 'database'>,
  dataset: Dataset,
  keys: ReadonlyArray<{ key: string; line: number }>,
  source: string,
): Promise<number[]> {
  const found = new Map<string, number>();
  for (let start = 0; start < keys.length; start += KEY_CHUNK) {
    for (const sample of await findSamplesByKeys(
      deps.database.db,
      dataset.id,
      keys.slice(start, start + KEY_CHUNK).map((entry) => entry.key),
    )) {
      if (sample.removedAt === null) found.set(sample.key, sample.id);
    }
  }
  const missing = keys.filter((entry) => !found.has(entry.key));
  if (missing.length > 0) {
    const lines = missing.slice(0, 10).map((entry) => `line ${entry.line}: ${quoteInput(entry.key)}`);
    throw new AppError(
      'InputInvalid',
      `${missing.length.toLocaleString('en-US')} key(s) in ${source} are not samples of "${dataset.name}" (nothing was tagged):\n  ${lines.join('\n  ')}${missing.length > 10 ? '\n  …' : ''}`,
      {
        hint: 'Keys are relative to the input location, one per line, as `winnow samples list` prints them; run `winnow dataset sync` first if they are new.',
        details: { missing: missing.map((entry) => entry) },
      },
    );
  }
  return keys.map((entry) => found.get(entry.key)!);
}

/** One key per line; blank lines and lines starting with `#` are skipped; a key listed twice counts once. */
export function parseKeysText(text: string): Array<{ key: string; line: number }> {
  const seen = new Set<string>();
  const keys: Array<{ key: string; line: number }> = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const key = raw.trim();
    if (key === '' || key.startsWith('#') || seen.has(key)) return;
    seen.add(key);
    keys.push({ key, line: index + 1 });
  });
  return keys;
}

/** `winnow tags create <dataset> <tag> --keys-file <file>`. */
export async function createTagFromKeys(
  deps: TagDeps,
  datasetName: string,
  request: { name: string; description?: string | undefined; keysText: string; source: string; mode: TagSaveMode },
): Promise<TagView> {
  const dataset = await requireDatasetRow(deps, datasetName);
  validateTagName(request.name);
  const sampleIds = await resolveKeys(deps, dataset, parseKeysText(request.keysText), request.source);
  return saveTag(deps, dataset, { name: request.name, description: request.description, sampleIds, mode: request.mode });
}

export async function listTagViews(deps: Pick<TagDeps, 'database'>, datasetName: string): Promise<TagView[]> {
  const dataset = await requireDatasetRow(deps, datasetName);
  return (await listTags(deps.database.db, dataset.id)).map((tag: TagWithSize) => view(tag, tag.size));
}

/** A tag and its members' keys (relative to the input), in the tag's order. */
export async function showTag(deps: Pick<TagDeps, 'database'>, datasetName: string, name: string): Promise<TagView & { keys: string[] }> {
  const dataset = await requireDatasetRow(deps, datasetName);
  const tag = await requireTag(deps, dataset, name);
  const ids = await listTagMemberIds(deps.database.db, tag.id);
  return { ...view(tag, ids.length), keys: await keysOf(deps, ids) };
}

/** Keys of sample ids, in their order. */
export async function keysOf(deps: Pick<TagDeps, 'database'>, sampleIds: readonly number[]): Promise<string[]> {
  const keys = new Map<number, string>();
  for (let start = 0; start < sampleIds.length; start += KEY_CHUNK)
    for (const [id, key] of await findSampleKeys(deps.database.db, sampleIds.slice(start, start + KEY_CHUNK))) keys.set(id, key);
  return sampleIds.map((id) => keys.get(id)!);
}

export async function updateTagDetails(
  deps: TagDeps,
  datasetName: string,
  name: string,
  changes: { name?: string | undefined; description?: string | null | undefined },
): Promise<TagView> {
  const dataset = await requireDatasetRow(deps, datasetName);
  const tag = await requireTag(deps, dataset, name);
  if (changes.name !== undefined && changes.name !== name) {
    validateTagName(changes.name);
    if (await findTag(deps.database.db, dataset.id, changes.name)) throw tagExists(dataset, changes.name);
  }
  const now = deps.clock().toISOString();
  await updateTag(deps.database.db, tag.id, { name: changes.name, description: changes.description, updatedAt: now });
  const renamed = {
    ...tag,
    name: changes.name ?? tag.name,
    description: changes.description === undefined ? tag.description : changes.description,
    updatedAt: now,
  };
  return view(renamed, (await listTagMemberIds(deps.database.db, tag.id)).length);
}

export async function deleteTag(deps: TagDeps, datasetName: string, name: string): Promise<void> {
  const dataset = await requireDatasetRow(deps, datasetName);
  const tag = await requireTag(deps, dataset, name);
  await deleteTagRow(deps.database.db, tag.id);
  deps.log.info({ dataset: dataset.name, tag: name }, 'tag deleted');
}

export type TagOperation = 'union' | 'intersection' | 'difference';

/**
 * A new tag from others: their union (in the order of the tags given, then each tag's order), their
 * intersection, or the first minus the rest (both in the first tag's order).
 */
export async function combineTags(
  deps: TagDeps,
  datasetName: string,
  request: { name: string; operation: TagOperation; of: readonly string[]; description?: string | undefined; mode?: TagSaveMode | undefined },
): Promise<TagView> {
  const dataset = await requireDatasetRow(deps, datasetName);
  validateTagName(request.name);
  if (request.of.length < 2) throw new AppError('InputInvalid', `A ${request.operation} needs at least two tags, got ${request.of.length}.`);
  const members = [];
  for (const name of request.of) members.push(await listTagMemberIds(deps.database.db, (await requireTag(deps, dataset, name)).id));
  const [first, ...rest] = members as [number[], ...number[][]];
  let sampleIds: number[];
  if (request.operation === 'union') sampleIds = [...new Set(members.flat())];
  else if (request.operation === 'intersection') {
    const others = rest.map((other) => new Set(other));
    sampleIds = first.filter((id) => others.every((other) => other.has(id)));
  } else {
    const excluded = new Set(rest.flat());
    sampleIds = first.filter((id) => !excluded.has(id));
  }
  return saveTag(deps, dataset, {
    name: request.name,
    description: request.description ?? `${request.operation} of ${request.of.join(', ')}`,
    sampleIds,
    mode: request.mode ?? 'create',
  });
}

function tagExists(dataset: Dataset, name: string): AppError {
  return new AppError('TagExists', `Dataset "${dataset.name}" already has a tag named ${quoteInput(name)}.`, {
    hint: 'Pick another name, delete that tag first, or ask to replace or append to it.',
  });
}
