import type { Light } from './lights.js';
import type { Location } from './location.js';

/** The call a light's probe makes, and the permission it needs, in the store's own terms. */
export interface StorageCall {
  /** e.g. ListObjectsV2, List Blobs, list folder */
  operation: string;
  /** e.g. s3:ListBucket, storage.objects.list, SAS l (list), filesystem:list */
  action: string;
  resource: string;
}

type CallNames = Record<Light, { operation: string; action: string }>;

const S3_CALLS: CallNames = {
  list: { operation: 'ListObjectsV2', action: 's3:ListBucket' },
  read: { operation: 'GetObject', action: 's3:GetObject' },
  write: { operation: 'PutObject', action: 's3:PutObject' },
  overwrite: { operation: 'PutObject', action: 's3:PutObject' },
  delete: { operation: 'DeleteObject', action: 's3:DeleteObject' },
};

/** GCS's XML API takes the S3 calls; its IAM checks these permissions (an overwrite deletes the old object). */
const GCS_CALLS: CallNames = {
  list: { operation: 'ListObjectsV2', action: 'storage.objects.list' },
  read: { operation: 'GetObject', action: 'storage.objects.get' },
  write: { operation: 'PutObject', action: 'storage.objects.create' },
  overwrite: { operation: 'PutObject', action: 'storage.objects.create + storage.objects.delete' },
  delete: { operation: 'DeleteObject', action: 'storage.objects.delete' },
};

/** SAS permission letters: Put Blob creates a new blob with c (or w); replacing one needs w. */
const AZURE_CALLS: CallNames = {
  list: { operation: 'List Blobs', action: 'SAS l (list)' },
  read: { operation: 'Get Blob', action: 'SAS r (read)' },
  write: { operation: 'Put Blob', action: 'SAS c (create) or w (write)' },
  overwrite: { operation: 'Put Blob', action: 'SAS w (write)' },
  delete: { operation: 'Delete Blob', action: 'SAS d (delete)' },
};

const LOCAL_CALLS: CallNames = {
  list: { operation: 'list folder', action: 'filesystem:list' },
  read: { operation: 'read file', action: 'filesystem:read' },
  write: { operation: 'write file', action: 'filesystem:write' },
  overwrite: { operation: 'write file', action: 'filesystem:write' },
  delete: { operation: 'delete file', action: 'filesystem:delete' },
};

/**
 * What the probe of `light` does at `key` (the listed prefix for `list`, a full key otherwise; a key ending
 * in `*` names every key under a folder).
 */
export function storageCall(location: Location, light: Light, key: string): StorageCall {
  switch (location.kind) {
    case 's3':
      return {
        ...S3_CALLS[light],
        resource: light === 'list' ? `arn:aws:s3:::${location.bucket} (prefix "${key}")` : `arn:aws:s3:::${location.bucket}/${key}`,
      };
    case 'gcs':
      return { ...GCS_CALLS[light], resource: light === 'list' ? `gs://${location.bucket} (prefix "${key}")` : `gs://${location.bucket}/${key}` };
    case 'azure': {
      const container = `azure://${location.account}/${location.container}`;
      return { ...AZURE_CALLS[light], resource: light === 'list' ? `${container} (prefix "${key}")` : `${container}/${key}` };
    }
    case 'local': {
      const root = location.root.endsWith('/') ? location.root : `${location.root}/`;
      return { ...LOCAL_CALLS[light], resource: `${root}${key}` };
    }
  }
}
