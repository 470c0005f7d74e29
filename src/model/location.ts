import { resolve } from 'node:path';
import { AppError, quoteInput } from '../errors.js';

/** Where a dataset's objects live: a bucket and prefix, or a local folder. */
export type Location = { kind: 's3'; bucket: string; prefix: string } | { kind: 'local'; root: string; prefix: '' };

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parses `s3://bucket/prefix/` or a local path. The prefix always ends in '/' so that
 * `projects/farm-animals/` never matches `projects/farm-animals-2/...`.
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
  if (scheme === 'file') return { kind: 'local', root: resolve(decodeURIComponent(trimmed.slice('file://'.length))), prefix: '' };
  if (scheme !== 's3') {
    throw invalid(uri, `the scheme ${scheme}:// is not supported yet (use s3://bucket/prefix/ or a local folder)`);
  }
  const rest = trimmed.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1);
  if (bucket === '') throw invalid(uri, 'the bucket name is missing (s3://bucket/prefix/)');
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw invalid(uri, `${quoteInput(bucket, 70)} is not a valid bucket name (3-63 lowercase letters, digits, dots and hyphens)`);
  }
  return { kind: 's3', bucket, prefix: normalizePrefix(prefix) };
}

export function normalizePrefix(prefix: string): string {
  const withoutLeadingSlashes = prefix.replace(/^\/+/, '');
  if (withoutLeadingSlashes === '') return '';
  return withoutLeadingSlashes.endsWith('/') ? withoutLeadingSlashes : `${withoutLeadingSlashes}/`;
}

export function formatLocation(location: Location): string {
  if (location.kind === 's3') return `s3://${location.bucket}/${location.prefix}`;
  // A trailing separator, as for S3 prefixes, so `${uri}.winnow/` names the output folder.
  return location.root.endsWith('/') ? location.root : `${location.root}/`;
}

/** Winnow's own folder inside an output location; the only place it ever writes. */
export const WINNOW_FOLDER = '.winnow/';

export function winnowPrefix(output: Location): string {
  return `${output.prefix}${WINNOW_FOLDER}`;
}

function invalid(uri: string, reason: string): AppError {
  return new AppError('LocationInvalid', `${quoteInput(uri)} is not a usable location: ${reason}.`, {
    hint: 'Give s3://bucket/folder/ for S3 or a path for a local folder.',
  });
}
