import { open, mkdir, readdir, realpath, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { AppError, quoteInput } from '../errors.js';
import { assertWritable, compareKeys, objectTooLarge, type ListOptions, type ObjectStore, type ObjectSummary } from './object-store.js';

export interface LocalStoreOptions {
  root: string;
  writablePrefix: string | undefined;
  /** Winnow's data folder: never read, even when a dataset's folder holds it. */
  dataDir: string;
}

/** A local folder seen as a bucket: keys are '/'-separated paths relative to `root`, listed in byte order like S3. */
export function createLocalObjectStore(options: LocalStoreOptions): ObjectStore {
  const description = options.root.endsWith(sep) ? options.root : `${options.root}${sep}`;

  async function openForRead(key: string) {
    return openLocalFile(options.root, key, options.dataDir);
  }

  return {
    description,

    async *listPages(prefix: string, listOptions: ListOptions = {}): AsyncIterable<ObjectSummary[]> {
      const pageSize = listOptions.pageSize ?? 1000;
      let page: ObjectSummary[] = [];
      const rootReal = await realpath(options.root).catch((error: NodeJS.ErrnoException) => {
        throw new AppError('LocationInvalid', `The folder ${options.root} cannot be read (${error.code ?? error.message}).`, {
          cause: error,
          hint: 'Check the path and that Winnow may read it.',
        });
      });
      for await (const summary of walk(rootReal, rootReal, '', listOptions.startAfter)) {
        if (!summary.key.startsWith(prefix)) continue;
        page.push(summary);
        if (page.length >= pageSize) {
          yield page;
          page = [];
        }
      }
      yield page;
    },

    async readRange(key, start, endInclusive) {
      const handle = await openForRead(key);
      try {
        const buffer = Buffer.alloc(endInclusive - start + 1);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },

    async readObject(key, maxBytes) {
      const handle = await openForRead(key);
      try {
        const info = await handle.stat();
        if (info.size > maxBytes) throw objectTooLarge(description, key, info.size, maxBytes);
        return { body: await handle.readFile(), etag: localEtag(info) };
      } finally {
        await handle.close();
      }
    },

    async write(key, body) {
      assertWritable(key, options.writablePrefix, description);
      const path = join(options.root, ...key.split('/'));
      const temporary = `${path}.${process.pid}.tmp`;
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(temporary, body);
        await rename(temporary, path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        const denied = code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
        throw new AppError(denied ? 'DatasourceAccessDenied' : 'DatasourceError', `Cannot write ${description}${key} (${code}).`, {
          cause: error,
          hint: denied ? `Let Winnow's user write to ${description}${key.slice(0, key.lastIndexOf('/') + 1)}.` : undefined,
        });
      }
    },

    async delete(key) {
      assertWritable(key, options.writablePrefix, description);
      await rm(join(options.root, ...key.split('/')), { force: true });
    },

    async presignGet() {
      throw new AppError('InputInvalid', 'Local folders have no presigned URLs; Winnow serves their files itself.');
    },
  };
}

/**
 * Opens the file behind `key` for reading, refusing `..` segments, symlinks that lead outside
 * `root`, and anything inside Winnow's data folder. The check is made on the file that was opened
 * (the real path of the open file must be the same inode), so a link swapped in between a check
 * and the open cannot redirect the read.
 */
export async function openLocalFile(root: string, key: string, dataDir: string): Promise<FileHandle> {
  const segments = key.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.') || key.includes('\0')) {
    throw new AppError('InputInvalid', `The key ${quoteInput(key)} is not a plain path inside ${root}.`);
  }
  const rootReal = await realpath(root).catch((error: NodeJS.ErrnoException) => {
    throw new AppError('ObjectNotFound', `The folder ${root} cannot be read (${error.code ?? error.message}).`, { cause: error });
  });
  const path = join(rootReal, ...segments);
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') throw new AppError('ObjectNotFound', `${root}${sep}${key} no longer exists.`, { cause: error });
    throw new AppError('DatasourceAccessDenied', `Cannot read ${root}${sep}${key} (${error.code ?? error.message}).`, { cause: error });
  });
  try {
    const [opened, real, dataReal] = await Promise.all([handle.stat(), realpath(path), realpath(dataDir).catch(() => dataDir)]);
    const named = await stat(real);
    if (!opened.isFile()) throw new AppError('ObjectNotFound', `${root}${sep}${key} is not a file.`);
    if (opened.dev !== named.dev || opened.ino !== named.ino || !isInside(rootReal, real) || isInside(dataReal, real)) {
      throw new AppError('InputInvalid', `The key ${quoteInput(key)} points outside ${root}.`);
    }
    return handle;
  } catch (error) {
    await handle.close();
    if (error instanceof AppError) throw error;
    throw new AppError('ObjectNotFound', `${root}${sep}${key} changed while it was opened.`, { cause: error });
  }
}

/** Files have no etag; size and modification time change whenever the content does, in practice. */
function localEtag(info: { size: number; mtimeMs: number }): string {
  return `${info.size.toString(16)}-${Math.trunc(info.mtimeMs).toString(16)}`;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

interface Entry {
  name: string;
  isDirectory: boolean;
}

/**
 * Depth-first walk whose output is in global byte order of the full key: a folder sorts as
 * `name/`, so `a-b/x` (0x2d) comes before `a/x` (0x2f) exactly as S3 would list them.
 */
async function* walk(
  rootReal: string,
  folder: string,
  keyPrefix: string,
  startAfter: string | undefined,
  visited: ReadonlySet<string> = new Set([rootReal]),
): AsyncIterable<ObjectSummary> {
  const entries = await readEntries(rootReal, folder);
  entries.sort((a, b) => compareKeys(sortName(a), sortName(b)));
  for (const entry of entries) {
    const key = `${keyPrefix}${entry.name}`;
    if (entry.isDirectory) {
      const folderKey = `${key}/`;
      if (startAfter !== undefined && compareKeys(folderKey, startAfter) < 0 && !startAfter.startsWith(folderKey)) continue;
      const real = await realpath(join(folder, entry.name));
      if (visited.has(real)) continue;
      yield* walk(rootReal, join(folder, entry.name), folderKey, startAfter, new Set([...visited, real]));
      continue;
    }
    if (startAfter !== undefined && compareKeys(key, startAfter) <= 0) continue;
    const info = await stat(join(folder, entry.name)).catch(() => undefined);
    if (info === undefined || !info.isFile()) continue;
    yield { key, size: info.size, etag: localEtag(info), lastModified: info.mtime };
  }
}

function sortName(entry: Entry): string {
  return entry.isDirectory ? `${entry.name}/` : entry.name;
}

async function readEntries(rootReal: string, folder: string): Promise<Entry[]> {
  const dirents = await readdir(folder, { withFileTypes: true });
  const entries: Entry[] = [];
  for (const dirent of dirents) {
    if (dirent.isDirectory()) entries.push({ name: dirent.name, isDirectory: true });
    else if (dirent.isFile()) entries.push({ name: dirent.name, isDirectory: false });
    else if (dirent.isSymbolicLink()) {
      // Links are followed only while they stay inside the dataset's folder.
      const target = await realpath(join(folder, dirent.name)).catch(() => undefined);
      if (target === undefined || !isInside(rootReal, target)) continue;
      const info = await stat(target);
      entries.push({ name: dirent.name, isDirectory: info.isDirectory() });
    }
  }
  return entries;
}
