import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.js';

export interface Config {
  /** Folder holding the SQLite catalog and the master key. */
  home: string;
  /** postgres://... switches the catalog to PostgreSQL; undefined means SQLite in `home`. */
  databaseUrl: string | undefined;
  /** Base64 of 32 bytes; when unset the key lives in `<home>/master.key`. */
  masterKey: string | undefined;
  /** A file holding the master key (base64 of 32 bytes), so it can live away from the catalog; never created. */
  masterKeyFile: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Concurrent ranged reads while reading image headers. */
  probeConcurrency: number;
  /** STS endpoint for assuming roles (regional or VPC endpoints); undefined uses the SDK's default. */
  stsEndpoint: string | undefined;
  /** `winnow serve` listens here. */
  serveHost: string;
  servePort: number;
  /** Lifetime of presigned image URLs (capped at the credentials' own lifetime). */
  urlTtlSeconds: number;
  /** MiB of serialised grid pages `winnow serve` keeps to answer repeated requests; 0 turns the cache off. */
  pageCacheMb: number;
  /** Keys per ListObjectsV2 page (S3 caps it at 1,000). */
  listPageSize: number;
  /** Parallel listing streams (shards) a big sync fans out into; 1 never fans out. */
  syncShards: number;
  /** Keys a sync lists in one stream before it fans the rest of the listing out into shards. */
  syncShardAfterKeys: number;
  s3MaxAttempts: number;
  s3ConnectTimeoutMs: number;
  /** Longest wait for the next bytes of one S3 answer (a black-holed endpoint gives none). */
  s3RequestTimeoutMs: number;
  /** Longest one S3 call may take, all retries included. */
  s3CallDeadlineMs: number;
  /** Folders under which API users may create local-folder datasets; none by default. */
  localRoots: string[];
  /** Whether `winnow serve` may reach private and loopback addresses on an API user's behalf (the CLI always may). */
  apiAllowPrivateEndpoints: boolean;
  /** Whether anything may reach link-local addresses (cloud metadata services live there). */
  allowLinkLocalEndpoints: boolean;
  /** Host names `winnow serve` answers to besides its own address and localhost (reverse proxies, DNS names). */
  allowedHosts: string[];
  /** Largest request body the API reads, in KiB. */
  apiBodyLimitKb: number;
  /** Largest image the API takes for a "similar to this image" search, in MiB. */
  apiImageLimitMb: number;
  /** Images a thumbnail job reads, decodes and writes at once. */
  thumbnailConcurrency: number;
  /** MiB of source images a thumbnail job holds in memory at once; a larger image is refused. */
  thumbnailBufferMb: number;
  /** Images per model run of `winnow embed`. */
  embedBatchSize: number;
  /** onnxruntime's threads for one model run; 0 lets onnxruntime use every core. */
  embedThreads: number;
  /** Images decoded into model inputs at once (on libuv's threads) while the model runs. */
  embedDecodeThreads: number;
  /** Images `winnow embed` reads from the datasource at once (within the thumbnail buffer's MiB). */
  embedReadConcurrency: number;
  /** A job attempt silent for longer (no progress report) is taken for a dead worker's and retried elsewhere (handlers are idempotent). */
  jobExpireSeconds: number;
  /** How often an idle worker looks for jobs. */
  jobPollMs: number;
  /** PostgreSQL: how often expired attempts are looked for (pg-boss maintenance). */
  jobMaintenanceSeconds: number;
  /** How often a running job writes its progress. */
  jobProgressMs: number;
  /** Wait before a failed job's first retry; each later retry waits about twice as long. */
  jobRetryDelaySeconds: number;
  /** PostgreSQL: samples per batch job of a thumbnail or embedding run, which workers share. */
  jobBatchSamples: number;
}

/** Values given on the command line, by config key; undefined means not given. */
export type ConfigFlags = Partial<Record<keyof Config | 'configFile', string | undefined>>;

type Source = 'flag' | 'environment' | 'config file' | 'default';

const integer = (min: number, max: number) =>
  z.coerce.number().int(`must be an integer between ${min} and ${max}`).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

const flag = z.preprocess(
  (value) => (typeof value === 'boolean' ? String(value) : value),
  z.enum(['true', 'false', '1', '0'], 'must be true or false').transform((value) => value === 'true' || value === '1'),
);
const list = (separator: string, item: z.ZodType<string, string>) =>
  z
    .union([
      z.array(z.string()),
      z.string().transform((value) =>
        value
          .split(separator)
          .map((entry) => entry.trim())
          .filter((entry) => entry !== ''),
      ),
    ])
    .pipe(z.array(item));
const hostName = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253}|[0-9a-fA-F:]+)$/, 'must be host names or addresses, e.g. winnow.example.com,10.0.0.5');
const absoluteFolder = z.string().refine((value) => isAbsolute(value), 'must be absolute paths');

const settings = {
  home: { env: 'WINNOW_HOME', flag: '--home', schema: z.string().min(1), fallback: () => join(homedir(), '.winnow') },
  databaseUrl: {
    env: 'WINNOW_DATABASE_URL',
    flag: '--database-url',
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    fallback: () => undefined,
  },
  masterKey: {
    env: 'WINNOW_MASTER_KEY',
    flag: undefined,
    schema: z
      .string()
      .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes encoded as base64 (openssl rand -base64 32)')
      .optional(),
    fallback: () => undefined,
  },
  masterKeyFile: { env: 'WINNOW_MASTER_KEY_FILE', flag: undefined, schema: z.string().min(1).optional(), fallback: () => undefined },
  logLevel: {
    env: 'WINNOW_LOG_LEVEL',
    flag: '--log-level',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    fallback: () => 'warn',
  },
  probeConcurrency: { env: 'WINNOW_PROBE_CONCURRENCY', flag: '--probe-concurrency', schema: integer(1, 256), fallback: () => 16 },
  stsEndpoint: {
    env: 'WINNOW_STS_ENDPOINT',
    flag: undefined,
    schema: z
      .string()
      .regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL')
      .optional(),
    fallback: () => undefined,
  },
  serveHost: { env: 'WINNOW_HOST', flag: '--host', schema: z.string().min(1), fallback: () => '127.0.0.1' },
  servePort: { env: 'WINNOW_PORT', flag: '--port', schema: integer(0, 65_535), fallback: () => 8080 },
  urlTtlSeconds: { env: 'WINNOW_URL_TTL_SECONDS', flag: '--url-ttl', schema: integer(60, 604_800), fallback: () => 900 },
  pageCacheMb: { env: 'WINNOW_PAGE_CACHE_MB', flag: undefined, schema: integer(0, 16_384), fallback: () => 128 },
  listPageSize: { env: 'WINNOW_LIST_PAGE_SIZE', flag: undefined, schema: integer(1, 1000), fallback: () => 1000 },
  syncShards: { env: 'WINNOW_SYNC_SHARDS', flag: undefined, schema: integer(1, 64), fallback: () => 8 },
  syncShardAfterKeys: { env: 'WINNOW_SYNC_SHARD_AFTER_KEYS', flag: undefined, schema: integer(1, 1_000_000_000), fallback: () => 20_000 },
  s3MaxAttempts: { env: 'WINNOW_S3_MAX_ATTEMPTS', flag: undefined, schema: integer(1, 20), fallback: () => 3 },
  s3ConnectTimeoutMs: { env: 'WINNOW_S3_CONNECT_TIMEOUT_MS', flag: undefined, schema: integer(100, 600_000), fallback: () => 5_000 },
  s3RequestTimeoutMs: { env: 'WINNOW_S3_REQUEST_TIMEOUT_MS', flag: undefined, schema: integer(100, 3_600_000), fallback: () => 20_000 },
  s3CallDeadlineMs: { env: 'WINNOW_S3_CALL_DEADLINE_MS', flag: undefined, schema: integer(100, 3_600_000), fallback: () => 60_000 },
  localRoots: { env: 'WINNOW_LOCAL_ROOTS', flag: '--local-roots', schema: list(delimiter, absoluteFolder), fallback: () => [] },
  apiAllowPrivateEndpoints: { env: 'WINNOW_API_ALLOW_PRIVATE_ENDPOINTS', flag: undefined, schema: flag, fallback: () => false },
  allowLinkLocalEndpoints: { env: 'WINNOW_ALLOW_LINK_LOCAL_ENDPOINTS', flag: undefined, schema: flag, fallback: () => false },
  allowedHosts: { env: 'WINNOW_ALLOWED_HOSTS', flag: '--allowed-hosts', schema: list(',', hostName), fallback: () => [] },
  apiBodyLimitKb: { env: 'WINNOW_API_BODY_LIMIT_KB', flag: undefined, schema: integer(1, 1_048_576), fallback: () => 1_024 },
  apiImageLimitMb: { env: 'WINNOW_API_IMAGE_LIMIT_MB', flag: undefined, schema: integer(1, 1_024), fallback: () => 32 },
  thumbnailConcurrency: { env: 'WINNOW_THUMBNAIL_CONCURRENCY', flag: undefined, schema: integer(1, 64), fallback: () => 4 },
  thumbnailBufferMb: { env: 'WINNOW_THUMBNAIL_BUFFER_MB', flag: undefined, schema: integer(16, 16_384), fallback: () => 256 },
  embedBatchSize: { env: 'WINNOW_EMBED_BATCH_SIZE', flag: undefined, schema: integer(1, 1024), fallback: () => 16 },
  embedThreads: { env: 'WINNOW_EMBED_THREADS', flag: undefined, schema: integer(0, 256), fallback: () => 0 },
  embedDecodeThreads: { env: 'WINNOW_EMBED_DECODE_THREADS', flag: undefined, schema: integer(1, 64), fallback: () => 2 },
  embedReadConcurrency: { env: 'WINNOW_EMBED_READ_CONCURRENCY', flag: undefined, schema: integer(1, 256), fallback: () => 8 },
  jobExpireSeconds: { env: 'WINNOW_JOB_EXPIRE_SECONDS', flag: undefined, schema: integer(1, 86_399), fallback: () => 300 },
  jobPollMs: { env: 'WINNOW_JOB_POLL_MS', flag: undefined, schema: integer(10, 60_000), fallback: () => 2_000 },
  jobMaintenanceSeconds: { env: 'WINNOW_JOB_MAINTENANCE_SECONDS', flag: undefined, schema: integer(1, 3_600), fallback: () => 60 },
  jobProgressMs: { env: 'WINNOW_JOB_PROGRESS_MS', flag: undefined, schema: integer(0, 60_000), fallback: () => 1_000 },
  jobRetryDelaySeconds: { env: 'WINNOW_JOB_RETRY_DELAY_SECONDS', flag: undefined, schema: integer(0, 3_600), fallback: () => 10 },
  // About 7 s of one worker's embedding at ~150 images/s: long enough that fetching a job costs nothing, short enough to spread over many workers.
  jobBatchSamples: { env: 'WINNOW_JOB_BATCH_SAMPLES', flag: undefined, schema: integer(1, 1_000_000), fallback: () => 1_000 },
} satisfies Record<keyof Config, { env: string; flag: string | undefined; schema: z.ZodType; fallback: () => unknown }>;

/**
 * Resolves every setting as flag > environment (WINNOW_*) > config file > default and
 * validates them all at once, so the user sees every bad value in one error.
 */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const configFilePath = flags.configFile ?? env.WINNOW_CONFIG;
  const homeHint = flags.home ?? env.WINNOW_HOME ?? settings.home.fallback();
  const file = readConfigFile(configFilePath ?? join(homeHint, 'config.json'), configFilePath !== undefined, problems);

  const resolved: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(settings) as Array<[keyof Config, (typeof settings)[keyof Config]]>) {
    const [raw, source, label] = pick(key, setting, flags, env, file);
    if (raw === undefined) {
      resolved[key] = setting.fallback();
      continue;
    }
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) resolved[key] = parsed.data;
    else problems.push(`${label} (${source}): ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  if (resolved.masterKey !== undefined && resolved.masterKeyFile !== undefined) {
    problems.push('WINNOW_MASTER_KEY and WINNOW_MASTER_KEY_FILE are both set: give the master key one way only');
  }
  if (problems.length > 0) {
    throw new AppError('ConfigInvalid', `Invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      hint: 'Fix the values above; flags override WINNOW_* variables, which override the config file.',
      details: { problems },
    });
  }
  resolved.home = resolve(resolved.home as string);
  if (resolved.masterKeyFile !== undefined) resolved.masterKeyFile = resolve(resolved.masterKeyFile as string);
  resolved.localRoots = (resolved.localRoots as string[]).map((root) => resolve(root));
  return resolved as unknown as Config;
}

function pick(
  key: keyof Config,
  setting: { env: string; flag: string | undefined },
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv,
  file: Record<string, unknown>,
): [unknown, Source, string] {
  if (flags[key] !== undefined) return [flags[key], 'flag', `${setting.flag ?? key}=${flags[key]}`];
  const fromEnv = env[setting.env];
  if (fromEnv !== undefined && fromEnv !== '') return [fromEnv, 'environment', displayValue(setting.env, fromEnv)];
  if (file[key] !== undefined) return [file[key], 'config file', key === 'masterKey' ? `${key}=<hidden>` : `${key}=${JSON.stringify(file[key])}`];
  return [undefined, 'default', key];
}

function displayValue(name: string, value: string): string {
  return name === 'WINNOW_MASTER_KEY' ? `${name}=<hidden>` : `${name}=${value}`;
}

function readConfigFile(path: string, required: boolean, problems: string[]): Record<string, unknown> {
  if (!existsSync(path)) {
    if (required) problems.push(`config file ${path}: does not exist`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push(`config file ${path}: must hold a JSON object`);
      return {};
    }
    const unknownKeys = Object.keys(parsed).filter((key) => !(key in settings));
    for (const key of unknownKeys) problems.push(`config file ${path}: unknown setting "${key}" (known: ${Object.keys(settings).join(', ')})`);
    return parsed as Record<string, unknown>;
  } catch (error) {
    problems.push(`config file ${path}: not valid JSON (${(error as Error).message})`);
    return {};
  }
}

/** Credentials handed over through the environment so they never appear on argv. */
export interface EnvironmentSecrets {
  secretAccessKey: string | undefined;
  sessionToken: string | undefined;
  outputSecretAccessKey: string | undefined;
  azureSasToken: string | undefined;
  azureAccountKey: string | undefined;
  outputAzureSasToken: string | undefined;
}

export function readEnvironmentSecrets(env: NodeJS.ProcessEnv = process.env): EnvironmentSecrets {
  const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);
  return {
    secretAccessKey: nonEmpty(env.WINNOW_SECRET_ACCESS_KEY),
    sessionToken: nonEmpty(env.WINNOW_SESSION_TOKEN),
    outputSecretAccessKey: nonEmpty(env.WINNOW_OUTPUT_SECRET_ACCESS_KEY),
    azureSasToken: nonEmpty(env.WINNOW_AZURE_SAS_TOKEN),
    azureAccountKey: nonEmpty(env.WINNOW_AZURE_ACCOUNT_KEY),
    outputAzureSasToken: nonEmpty(env.WINNOW_OUTPUT_AZURE_SAS_TOKEN),
  };
}

/** Whether stdout is an interactive terminal (progress bars only then). */
export function isInteractive(): boolean {
  return process.stdout.isTTY === true && process.env.CI !== 'true';
}

/**
 * Process-wide defaults for vendor libraries. The AWS SDK warns on every start under Node 20
 * about releases after early 2027; the lockfile pins the current ones, so the warning is noise.
 */
export function applyProcessDefaults(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
