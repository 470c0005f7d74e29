/**
 * Maps path-style S3 REST requests to the IAM action, resource ARN and
 * request-specific condition keys that AWS would authorize them against.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */

export const UNKNOWN_ACTION = 's3:Unknown';

export interface IamRequirement {
  action: string;
  /** Resource ARN, or `*` for account-level actions. */
  resource: string;
  /** Condition keys that come from the request itself (not from the caller). */
  context: Record<string, string>;
}

export interface S3Request {
  method: string;
  /** Decoded bucket name, undefined for service-level requests (`GET /`). */
  bucket?: string;
  /** Decoded object key, undefined for bucket-level requests. */
  key?: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Keys named in a multi-object delete body (`POST /bucket?delete`). */
  deleteKeys?: string[];
}

type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
type ActionTable = Partial<Record<Method, Record<string, string>>>;

/** Query parameters that select a sub-resource, most specific first. `''` means none. */
const SUBRESOURCES = [
  'acl',
  'cors',
  'delete',
  'location',
  'policy',
  'tagging',
  'uploads',
  'uploadId',
  'versioning',
  'versions',
  'website',
  'restore',
  'versionId',
];

const BUCKET_ACTIONS: ActionTable = {
  GET: {
    '': 's3:ListBucket',
    acl: 's3:GetBucketAcl',
    cors: 's3:GetBucketCORS',
    location: 's3:GetBucketLocation',
    policy: 's3:GetBucketPolicy',
    tagging: 's3:GetBucketTagging',
    uploads: 's3:ListBucketMultipartUploads',
    versioning: 's3:GetBucketVersioning',
    versions: 's3:ListBucketVersions',
    website: 's3:GetBucketWebsite',
  },
  // HeadBucket is authorized as ListBucket.
  HEAD: { '': 's3:ListBucket' },
  PUT: {
    '': 's3:CreateBucket',
    acl: 's3:PutBucketAcl',
    cors: 's3:PutBucketCORS',
    policy: 's3:PutBucketPolicy',
    tagging: 's3:PutBucketTagging',
    versioning: 's3:PutBucketVersioning',
    website: 's3:PutBucketWebsite',
  },
  // DeleteBucketCors and DeleteBucketTagging have no actions of their own.
  DELETE: {
    '': 's3:DeleteBucket',
    cors: 's3:PutBucketCORS',
    policy: 's3:DeleteBucketPolicy',
    tagging: 's3:PutBucketTagging',
    website: 's3:DeleteBucketWebsite',
  },
};

const OBJECT_ACTIONS: ActionTable = {
  GET: {
    '': 's3:GetObject',
    acl: 's3:GetObjectAcl',
    tagging: 's3:GetObjectTagging',
    uploadId: 's3:ListMultipartUploadParts',
    versionId: 's3:GetObjectVersion',
  },
  HEAD: { '': 's3:GetObject', versionId: 's3:GetObjectVersion' },
  PUT: {
    '': 's3:PutObject',
    acl: 's3:PutObjectAcl',
    tagging: 's3:PutObjectTagging',
    uploadId: 's3:PutObject',
  },
  POST: { uploads: 's3:PutObject', uploadId: 's3:PutObject', restore: 's3:RestoreObject' },
  DELETE: {
    '': 's3:DeleteObject',
    tagging: 's3:DeleteObjectTagging',
    uploadId: 's3:AbortMultipartUpload',
    versionId: 's3:DeleteObjectVersion',
  },
};

const LISTING_ACTIONS = new Set(['s3:ListBucket', 's3:ListBucketVersions']);

/** Request headers that AWS exposes as `s3:<header>` condition keys on writes. */
const WRITE_CONDITION_HEADERS = [
  'x-amz-acl',
  'x-amz-copy-source',
  'x-amz-metadata-directive',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-storage-class',
];

/**
 * Everything the request needs to be allowed; the first entry is the main one.
 * An unsupported request yields a single `s3:Unknown` requirement.
 */
export function iamRequirementsFor(request: S3Request): IamRequirement[] {
  if (request.bucket === undefined) {
    return [serviceRequirement(request)];
  }
  if (request.key === undefined) {
    return bucketRequirements(request, request.bucket);
  }
  return objectRequirements(request, request.bucket, request.key);
}

export function isMultiObjectDelete(method: string, query: Record<string, string>): boolean {
  return method === 'POST' && 'delete' in query;
}

/** Object keys from a `<Delete><Object><Key>…</Key></Object>…</Delete>` body. */
export function parseDeleteKeys(xml: string): string[] {
  return [...xml.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((match) => unescapeXml(match[1] as string));
}

/** Splits a raw path-style path into its decoded bucket and key. */
export function parsePathStyle(rawPath: string): { bucket?: string; key?: string } {
  const withoutSlash = rawPath.replace(/^\//, '');
  if (withoutSlash === '') return {};
  const slash = withoutSlash.indexOf('/');
  if (slash === -1) return { bucket: decodeURIComponent(withoutSlash) };
  const bucket = decodeURIComponent(withoutSlash.slice(0, slash));
  const rawKey = withoutSlash.slice(slash + 1);
  return rawKey === '' ? { bucket } : { bucket, key: decodeURIComponent(rawKey) };
}

export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

export function objectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}

function serviceRequirement(request: S3Request): IamRequirement {
  const action = request.method === 'GET' ? 's3:ListAllMyBuckets' : UNKNOWN_ACTION;
  return { action, resource: '*', context: {} };
}

function bucketRequirements(request: S3Request, bucket: string): IamRequirement[] {
  if (isMultiObjectDelete(request.method, request.query)) {
    return multiObjectDeleteRequirements(bucket, request.deleteKeys ?? []);
  }
  const action = lookUpAction(BUCKET_ACTIONS, request);
  const isListing = LISTING_ACTIONS.has(action) && request.method === 'GET';
  const context = isListing ? listingContext(request.query) : {};
  return [{ action, resource: bucketArn(bucket), context }];
}

function objectRequirements(request: S3Request, bucket: string, key: string): IamRequirement[] {
  const action = lookUpAction(OBJECT_ACTIONS, request);
  const main: IamRequirement = { action, resource: objectArn(bucket, key), context: objectContext(request) };
  const copySource = header(request, 'x-amz-copy-source');
  if (request.method !== 'PUT' || copySource === undefined) {
    return [main];
  }
  return [main, { action: 's3:GetObject', resource: copySourceArn(copySource), context: {} }];
}

function multiObjectDeleteRequirements(bucket: string, keys: string[]): IamRequirement[] {
  // An empty or unreadable body is treated as a delete of "anything" so it is never waved through.
  const targets = keys.length > 0 ? keys : ['*'];
  return targets.map((key) => ({ action: 's3:DeleteObject', resource: objectArn(bucket, key), context: {} }));
}

function lookUpAction(table: ActionTable, request: S3Request): string {
  const subresource = SUBRESOURCES.find((name) => name in request.query) ?? '';
  return table[request.method as Method]?.[subresource] ?? UNKNOWN_ACTION;
}

function listingContext(query: Record<string, string>): Record<string, string> {
  // An absent prefix is evaluated as the empty string, as in AWS's home-folder examples.
  const context: Record<string, string> = { 's3:prefix': query['prefix'] ?? '' };
  if (query['delimiter'] !== undefined) context['s3:delimiter'] = query['delimiter'];
  if (query['max-keys'] !== undefined) context['s3:max-keys'] = query['max-keys'];
  return context;
}

function objectContext(request: S3Request): Record<string, string> {
  const context: Record<string, string> = {};
  if (request.query['versionId'] !== undefined) context['s3:versionid'] = request.query['versionId'];
  if (request.method === 'PUT' || request.method === 'POST') {
    for (const name of WRITE_CONDITION_HEADERS) {
      const value = header(request, name);
      if (value !== undefined) context[`s3:${name}`] = value;
    }
  }
  return context;
}

/** `x-amz-copy-source` is `[/]bucket/url-encoded-key[?versionId=…]`. */
function copySourceArn(copySource: string): string {
  const withoutVersion = copySource.split('?')[0] as string;
  const { bucket, key } = parsePathStyle(withoutVersion.startsWith('/') ? withoutVersion : `/${withoutVersion}`);
  return objectArn(bucket ?? '', key ?? '');
}

function header(request: S3Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#x[0-9a-fA-F]+|#\d+);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[entity] as string;
  });
}
