import { randomBytes } from 'node:crypto';
import type { WorkflowDeps } from './workflow-deps.js';
import { checkBucketCors, type CorsCheck } from '../datasources/cors-check.js';
import { requireDataset } from '../catalog/dataset.service.js';
import { recordDeleteAllowed } from '../catalog/datasource.repository.js';
import { AppError, describeError, isAppError } from '../errors.js';
import { checkUsablePolicy, compareWithProbes, type PolicyComparison } from '../policy/compare-with-probes.js';
import { openDatasetStores, type BoundStore } from './dataset-stores.js';
import { hasImageExtension } from '../datasources/key-filter.js';
import { WINNOW_FOLDER, winnowPrefix } from '../model/location.js';
import type { ObjectSummary } from '../datasources/object-store.js';
import type { Light, VerifyCheck } from '../model/lights.js';
import { storageCall } from '../model/storage-calls.js';

/** What the credentials may do: `full` (all five lights), `read-only`, `list-only` or `no-access`. */
export type AccessMode = 'full' | 'read-write' | 'read-only' | 'list-only' | 'no-access';

export interface VerifyReport {
  dataset: string;
  input: string;
  output: string;
  checks: Record<Light, VerifyCheck>;
  mode: AccessMode;
  summary: string;
  /** A probe object that could not be deleted (delete denied). */
  leftBehind?: string | undefined;
  /** With a policy file: its offline check and where the probes disagree with it. */
  policy?: PolicyComparison | undefined;
  /** Whether the bucket answers a browser's CORS preflight from the app's origin (S3 inputs whose read probe passed; else null). */
  cors: CorsCheck | null;
}

export interface VerifyOptions {
  /** An identity policy (JSON text or parsed) the credentials are meant to hold, to compare with the probes. */
  policy?: unknown;
  /** The origin the web app is loaded from, for the CORS check; default: `winnow serve`'s own address. */
  appOrigin?: string | undefined;
}

export type VerifyDeps = Pick<WorkflowDeps, 'config' | 'database' | 'secretBox' | 'log' | 'clock' | 'access'>;

/** Probes, with real calls inside the configured prefixes only, what the dataset's credentials may do. */
export async function verifyDatasource(deps: VerifyDeps, datasetName: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const { dataset, datasources } = await requireDataset(deps, datasetName);
  const stores = await openDatasetStores(deps, dataset.name, datasources);
  const policyCheck =
    options.policy === undefined
      ? undefined
      : await checkUsablePolicy(options.policy, { input: stores.input.location, output: stores.output.location, sseKmsKeyId: stores.output.sseKmsKeyId });
  const access = await probeReadAccess(stores.input);
  const writes = access.blocking ? skippedWrites(stores.output, access.blocking) : await probeWrites(stores.output, deps.clock());
  const checks = { list: access.list, read: access.read, ...writes.checks };
  // A sync deletes the outputs of removed samples only while this light is not known to be off.
  const output = datasources.find((datasource) => datasource.purpose === 'output') ?? datasources.find((datasource) => datasource.purpose === 'input');
  if (output !== undefined && !checks.delete.skipped) await recordDeleteAllowed(deps.database.db, output.id, checks.delete.ok);
  const mode = accessMode(checks);
  // The read probe's key is one a browser may fetch; S3 answers its preflight from the bucket's CORS rules.
  const readKey = checks.read.ok && stores.input.location.kind === 's3' ? access.readKey : undefined;
  const cors =
    readKey === undefined ? null : await checkBucketCors(stores.input, readKey, options.appOrigin ?? serveOrigin(deps.config), deps.access.endpoints);
  deps.log.info({ dataset: datasetName, mode }, 'datasource verified');
  return {
    dataset: dataset.name,
    input: stores.input.uri,
    output: stores.output.uri,
    checks,
    mode,
    summary: summarize(mode, checks),
    leftBehind: writes.leftBehind,
    policy: policyCheck && compareWithProbes(policyCheck, checks),
    cors,
  };
}

/** The address `winnow serve` prints with this configuration. */
function serveOrigin(config: WorkflowDeps['config']): string {
  const host = config.serveHost.includes(':') ? `[${config.serveHost}]` : config.serveHost;
  return `http://${host}:${config.servePort}`;
}

export interface ReadAccess {
  list: VerifyCheck;
  read: VerifyCheck;
  /** An error that makes every further call pointless (bad keys, endpoint down, no bucket). */
  blocking: AppError | undefined;
  /** The key the read probe read. */
  readKey?: string | undefined;
}

/** The list and read probes alone; sync runs these before it starts. */
export async function probeReadAccess(input: BoundStore): Promise<ReadAccess> {
  const listDescriptor = describeProbe(input, 'list', input.prefix);
  let firstPage: ObjectSummary[];
  try {
    firstPage = await firstListedPage(input, 1);
  } catch (error) {
    const list = failedCheck(listDescriptor, error);
    const blocking = isAppError(error, 'DatasourceAccessDenied') ? undefined : toAppError(error);
    const reason = blocking ? `not tested: ${blocking.message}` : 'not tested: listing is denied, so there is no key to read';
    return { list, read: skippedCheck(describeProbe(input, 'read', `${input.prefix}*`), reason), blocking };
  }
  const list = okCheck(listDescriptor);
  const candidate = pickReadableKey(firstPage) ?? pickReadableKey(await firstListedPage(input, 1000).catch(() => []));
  const readDescriptor = describeProbe(input, 'read', candidate?.key ?? `${input.prefix}*`);
  if (candidate === undefined)
    return { list, read: skippedCheck(readDescriptor, 'not tested: the input location holds no non-empty object to read'), blocking: undefined };
  try {
    await input.store.readRange(candidate.key, 0, 0);
    return { list, read: okCheck(readDescriptor), blocking: undefined, readKey: candidate.key };
  } catch (error) {
    return { list, read: failedCheck(readDescriptor, error), blocking: undefined };
  }
}

async function firstListedPage(input: BoundStore, pageSize: number): Promise<ObjectSummary[]> {
  for await (const page of input.store.listPages(input.prefix, { pageSize })) return page;
  return [];
}

function pickReadableKey(page: readonly ObjectSummary[]): ObjectSummary | undefined {
  const readable = page.filter((object) => object.size > 0 && !object.key.endsWith('/') && !object.key.includes(WINNOW_FOLDER));
  return readable.find((object) => hasImageExtension(object.key)) ?? readable[0];
}

async function probeWrites(
  output: BoundStore,
  now: Date,
): Promise<{ checks: Pick<Record<Light, VerifyCheck>, 'write' | 'overwrite' | 'delete'>; leftBehind?: string }> {
  const probeKey = `${winnowPrefix(output.location)}probes/verify-${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.txt`;
  const body = (attempt: string) => `Winnow permission probe (${attempt}) written ${now.toISOString()}. Safe to delete.\n`;
  const write = await runProbe(describeProbe(output, 'write', probeKey), () => output.store.write(probeKey, body('write'), 'text/plain'));
  if (!write.ok) {
    const reason = 'not tested: the write probe failed, so there is no probe object';
    return {
      checks: {
        write,
        overwrite: skippedCheck(describeProbe(output, 'overwrite', probeKey), reason),
        delete: skippedCheck(describeProbe(output, 'delete', probeKey), reason),
      },
    };
  }
  const overwrite = await runProbe(describeProbe(output, 'overwrite', probeKey), () => output.store.write(probeKey, body('overwrite'), 'text/plain'));
  const remove = await runProbe(describeProbe(output, 'delete', probeKey), () => output.store.delete(probeKey));
  return { checks: { write, overwrite, delete: remove }, leftBehind: remove.ok ? undefined : `${output.store.description}${probeKey}` };
}

function skippedWrites(output: BoundStore, blocking: AppError) {
  const probeKey = `${winnowPrefix(output.location)}probes/*`;
  const reason = `not tested: ${blocking.message}`;
  return {
    checks: {
      write: skippedCheck(describeProbe(output, 'write', probeKey), reason),
      overwrite: skippedCheck(describeProbe(output, 'overwrite', probeKey), reason),
      delete: skippedCheck(describeProbe(output, 'delete', probeKey), reason),
    },
    leftBehind: undefined,
  };
}

type ProbeDescriptor = Pick<VerifyCheck, 'operation' | 'action' | 'resource'>;

function describeProbe(bound: BoundStore, light: Light, key: string): ProbeDescriptor {
  if (bound.location.kind === 'local') {
    const call = storageCall(bound.location, light, key);
    return { ...call, resource: `${bound.store.description}${key}` };
  }
  return storageCall(bound.location, light, key);
}

async function runProbe(descriptor: ProbeDescriptor, probe: () => Promise<void>): Promise<VerifyCheck> {
  try {
    await probe();
    return okCheck(descriptor);
  } catch (error) {
    return failedCheck(descriptor, error);
  }
}

function okCheck(descriptor: ProbeDescriptor): VerifyCheck {
  return { ok: true, skipped: false, ...descriptor };
}

function skippedCheck(descriptor: ProbeDescriptor, reason: string): VerifyCheck {
  return { ok: false, skipped: true, ...descriptor, message: reason };
}

function failedCheck(descriptor: ProbeDescriptor, error: unknown): VerifyCheck {
  const appError = toAppError(error);
  return {
    ok: false,
    skipped: false,
    ...descriptor,
    errorCode: appError.code,
    s3Code:
      typeof appError.details.s3Code === 'string'
        ? appError.details.s3Code
        : typeof appError.details.azureCode === 'string'
          ? appError.details.azureCode
          : undefined,
    message: appError.message,
    fix: appError.hint,
  };
}

function toAppError(error: unknown): AppError {
  return isAppError(error) ? error : new AppError('DatasourceError', describeError(error), { cause: error });
}

function accessMode(checks: Record<Light, VerifyCheck>): AccessMode {
  if (!checks.list.ok) return 'no-access';
  if (!checks.read.ok && !checks.read.skipped) return 'list-only';
  if (!checks.write.ok) return 'read-only';
  return checks.overwrite.ok && checks.delete.ok ? 'full' : 'read-write';
}

function summarize(mode: AccessMode, checks: Record<Light, VerifyCheck>): string {
  switch (mode) {
    case 'full':
      return 'All five permissions work: Winnow can index, read headers, show images and write thumbnails and results under .winnow/.';
    case 'read-write':
      return checks.delete.ok
        ? 'Winnow can index, read and write, but overwriting its own files under .winnow/ failed.'
        : 'Winnow can index, read and write; it cannot delete its own files under .winnow/ (it never deletes yours), so the verify probe was left behind.';
    case 'read-only':
      return `Read-only: Winnow can index and show images but cannot write thumbnails or results (no ${checks.write.action} on the output .winnow/ folder).`;
    case 'list-only':
      return `List-only (minimum policy): Winnow can index keys but cannot read image headers or show images (${checks.read.action} is denied). Sync with --skip-verify to index keys without dimensions.`;
    case 'no-access':
      return `Winnow cannot list the input location: ${checks.list.message ?? 'unknown error'}`;
  }
}
