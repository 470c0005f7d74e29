import { resolve } from 'node:path';
import { AppError, quoteInput } from '../errors.js';

/**
 * Where a dataset's objects live: an S3 or Google Cloud Storage bucket and prefix, an Azure Blob
 * container (in a storage account) and prefix, or a local folder.
 */
export type Location =
  | { kind: 's3'; bucket: string; prefix: string }
  | { kind: 'gcs'; bucket: string; prefix: string }
  | { kind: 'azure'; account: string; container: string; prefix: string }
  | { kind: 'local'; root: string; prefix: '' };

/** A location in an object store (every kind but a local folder). */
export type BucketLocation = Exclude<Location, { kind: 'local' }>;

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** GCS allows underscores, and up to 222 characters when the name has dots (each part at most 63). */
const GCS_BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const AZURE_ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
const AZURE_CONTAINER_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

function decodeFilePath(uri: string, path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw invalid(uri, 'it holds a malformed %-escape (write %25 for a literal %, or give the folder as a plain path)');
  }
}

/**
 * Parses `s3://bucket/prefix/`, `gs://bucket/prefix/`, `azure://account/container/prefix/` or a local
 * path. The prefix always ends in '/' so that `projects/farm-animals/` never matches `projects/farm-animals-2/...`.
 */
export function parseLocation(uri: string): Location {
  const trimmed = uri.trim();
  if (trimmed === '') throw invalid(uri, 'it is empty');
  // NUL ends a path in the kernel, so "a\0b" would name another folder than it shows; no real location holds control characters.
  const control = [...trimmed].find((character) => character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f);
  if (control !== undefined) throw invalid(uri, `it contains the control character U+${control.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (/^s3:/i.test(trimmed)) throw invalid(uri, 'an S3 location starts with s3:// (two slashes)');
    return { kind: 'local', root: resolve(trimmed), prefix: '' };
  }
  if (scheme === 'file') return { kind: 'local', root: resolve(decodeFilePath(uri, trimmed.slice('file://'.length))), prefix: '' };
  if (scheme === 'azure') return parseAzureLocation(uri, trimmed.slice(trimmed.indexOf('://') + 3));
  if (scheme !== 's3' && scheme !== 'gs') {
    throw invalid(
      uri,
      `the scheme ${scheme}:// is not supported (use s3://bucket/prefix/, gs://bucket/prefix/, azure://account/container/prefix/ or a local folder)`,
    );
  }
  const rest = trimmed.slice(trimmed.indexOf('://') + 3);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1);
  if (bucket === '') throw invalid(uri, `the bucket name is missing (${scheme}://bucket/prefix/)`);
  if (scheme === 'gs') {
    if (!GCS_BUCKET_NAME.test(bucket) || bucket.includes('..') || bucket.split('.').some((part) => part.length > 63)) {
      throw invalid(uri, `${quoteInput(bucket, 70)} is not a valid Cloud Storage bucket name (3-63 lowercase letters, digits, dots, hyphens and underscores)`);
    }
    return { kind: 'gcs', bucket, prefix: normalizePrefix(prefix) };
  }
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw invalid(uri, `${quoteInput(bucket, 70)} is not a valid bucket name (3-63 lowercase letters, digits, dots and hyphens)`);
  }
  return { kind: 's3', bucket, prefix: normalizePrefix(prefix) };
}

function parseAzureLocation(uri: string, rest: string): Location {
  const [account = '', container = '', ...path] = rest.split('/');
  if (account === '' || container === '')
    throw invalid(uri, 'an Azure location names the storage account and the container (azure://account/container/prefix/)');
  if (!AZURE_ACCOUNT_NAME.test(account))
    throw invalid(uri, `${quoteInput(account, 70)} is not a valid storage account name (3-24 lowercase letters and digits)`);
  if (!AZURE_CONTAINER_NAME.test(container)) {
    throw invalid(
      uri,
      `${quoteInput(container, 70)} is not a valid container name (3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit)`,
    );
  }
  return { kind: 'azure', account, container, prefix: normalizePrefix(path.join('/')) };
}

export function normalizePrefix(prefix: string): string {
  const withoutLeadingSlashes = prefix.replace(/^\/+/, '');
  if (withoutLeadingSlashes === '') return '';
  return withoutLeadingSlashes.endsWith('/') ? withoutLeadingSlashes : `${withoutLeadingSlashes}/`;
}

export function formatLocation(location: Location): string {
  if (location.kind === 's3') return `s3://${location.bucket}/${location.prefix}`;
  if (location.kind === 'gcs') return `gs://${location.bucket}/${location.prefix}`;
  if (location.kind === 'azure') return `azure://${location.account}/${location.container}/${location.prefix}`;
  // A trailing separator, as for S3 prefixes, so `${uri}.winnow/` names the output folder.
  return location.root.endsWith('/') ? location.root : `${location.root}/`;
}

/** The bucket or container a location lives in, as one comparable string; a local folder's root. */
export function containerOf(location: Location): string {
  switch (location.kind) {
    case 's3':
    case 'gcs':
      return `${location.kind}:${location.bucket}`;
    case 'azure':
      return `azure:${location.account}/${location.container}`;
    case 'local':
      return `local:${location.root}`;
  }
}

/** Winnow's own folder inside an output location; the only place it ever writes. */
export const WINNOW_FOLDER = '.winnow/';

export function winnowPrefix(output: Location): string {
  return `${output.prefix}${WINNOW_FOLDER}`;
}

function invalid(uri: string, reason: string): AppError {
  return new AppError('LocationInvalid', `${quoteInput(uri)} is not a usable location: ${reason}.`, {
    hint: 'Give s3://bucket/folder/ for S3 (and S3-compatible stores), gs://bucket/folder/ for Google Cloud Storage, azure://account/container/folder/ for Azure Blob, or a path for a local folder.',
  });
}
