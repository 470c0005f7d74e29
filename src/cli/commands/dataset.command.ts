import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { deleteDataset, listDatasets, showDataset, type DatasetDetails, type DatasetView } from '../../catalog/dataset.service.js';
import { createDataset } from '../../workflows/create-dataset.js';
import { editDataset, type EditDatasetInput } from '../../workflows/edit-dataset.js';
import { readEnvironmentSecrets, type EnvironmentSecrets } from '../../config/config.js';
import { PRESET_IDS } from '../../model/s3-presets.js';
import { syncDataset, type SyncProgress, type SyncReport } from '../../workflows/sync-dataset.js';
import type { ThumbnailProgress } from '../../workflows/make-thumbnails.js';
import { runQueued } from '../queued-job.js';
import { cleanDatasetOutputs } from '../../workflows/clean-outputs.js';
import { AppError } from '../../errors.js';
import { DEFAULT_THUMBNAIL_SIZE, validateThumbnailSize } from '../../media/image-processor.js';
import type { CommandRunner } from '../command-runner.js';
import { createSyncProgress, createThumbnailProgress } from '../progress.js';
import { formatCount, formatTable, printJson, type Output } from '../render.js';
import { readOneSecretFromStdin, readSecretsFromStdin } from '../stdin.js';
import { printThumbnailReport } from '../printers/thumbnail-report.js';
import { enqueueSyncOnce } from '../../jobs/sync-jobs.js';

interface CreateOptions {
  input: string;
  output?: string;
  region?: string;
  endpoint?: string;
  pathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKeyStdin?: boolean;
  sessionTokenStdin?: boolean;
  outputAccessKeyId?: string;
  sseKmsKeyId?: string;
  roleArn?: string;
  externalId?: string;
  roleSessionDuration?: string;
  preset?: string;
  accountId?: string;
  sasTokenStdin?: boolean;
  accountKeyStdin?: boolean;
  include: string[];
  exclude: string[];
  relevantFilenames?: string;
  thumbnails?: boolean;
  thumbnailSize?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerDatasetCommands(program: Command, runner: CommandRunner): void {
  const dataset = program.command('dataset').description('create, sync, list, show and delete datasets');

  dataset
    .command('create <name>')
    .description('register a dataset from an S3, GCS or Azure Blob folder or a local folder (nothing is copied)')
    .requiredOption('--input <uri>', 's3://bucket/prefix/, gs://bucket/prefix/, azure://account/container/prefix/ or a local folder')
    .option('--output <uri>', 'where Winnow may write (under <output>/.winnow/); default: the input')
    .option('--region <region>', 'bucket region (default us-east-1)')
    .option('--endpoint <url>', 'custom endpoint: an S3-compatible store (MinIO, Ceph, R2, Wasabi), or an Azure private endpoint or emulator')
    .option('--path-style', 'path-style addressing (needed by most S3-compatible stores)')
    .option(
      '--preset <name>',
      `S3-compatible store: ${PRESET_IDS.filter((id) => id !== 'gcs').join(', ')} (endpoint, path style and region rules; gs:// implies gcs)`,
    )
    .option('--account-id <id>', "account id for a preset's endpoint (--preset r2)")
    .option('--access-key-id <id>', 'access key id; the secret comes from WINNOW_SECRET_ACCESS_KEY or stdin')
    .option('--secret-access-key-stdin', 'read the secret access key from the first line of stdin')
    .option('--session-token-stdin', 'read a session token from stdin (after the secret, if both)')
    .option('--output-access-key-id <id>', 'separate keys for the output; secret from WINNOW_OUTPUT_SECRET_ACCESS_KEY')
    .option('--sas-token-stdin', "azure://: read a SAS token from stdin (or set WINNOW_AZURE_SAS_TOKEN; the output's own: WINNOW_OUTPUT_AZURE_SAS_TOKEN)")
    .option('--account-key-stdin', 'azure://: read the storage account key from stdin (or set WINNOW_AZURE_ACCOUNT_KEY)')
    .option('--sse-kms-key-id <arn>', 'encrypt every write with this KMS key (SSE-KMS)')
    .option('--role-arn <arn>', "assume this IAM role (delegated access) from Winnow's own AWS credentials")
    .option('--external-id <id>', "external ID the role's trust policy requires (>= 10 characters)")
    .option('--role-session-duration <seconds>', 'role session length, 900-43200 (default 3600)')
    .option('--include <glob>', 'only keys matching this glob (repeatable)', collect, [])
    .option('--exclude <glob>', 'skip keys matching this glob (repeatable)', collect, [])
    .option('--relevant-filenames <path>', 'file listing the keys to index, one per line, # comments')
    .option('--thumbnails', 'make thumbnails (JPEG; WebP for images with transparency) under <output>/.winnow/thumbnails/ after every sync')
    .option('--thumbnail-size <px>', 'longest side of those thumbnails (default 400; implies --thumbnails)')
    .option('--json', 'print JSON')
    .action(
      runner.run<CreateOptions>(async (context, options, output, [name]) => {
        const environment = readEnvironmentSecrets();
        const stdin = await readSecretsFromStdin(options.secretAccessKeyStdin === true, options.sessionTokenStdin === true);
        const azure = await azureSecrets(options, environment);
        const relevantFilenames =
          options.relevantFilenames === undefined ? undefined : { text: await readRelevantFile(options.relevantFilenames), source: options.relevantFilenames };
        const view = await createDataset(context, {
          name: name!,
          input: {
            uri: options.input,
            region: options.region,
            endpoint: options.endpoint,
            pathStyle: options.pathStyle,
            accessKeyId: options.accessKeyId,
            secretAccessKey: stdin.secretAccessKey ?? (options.accessKeyId === undefined ? undefined : environment.secretAccessKey),
            sessionToken: stdin.sessionToken ?? (options.accessKeyId === undefined ? undefined : environment.sessionToken),
            sseKmsKeyId: options.sseKmsKeyId,
            roleArn: options.roleArn,
            externalId: options.externalId,
            roleSessionSeconds: options.roleSessionDuration === undefined ? undefined : Number(options.roleSessionDuration),
            preset: options.preset,
            accountId: options.accountId,
            sasToken: azure.sasToken,
            accountKey: azure.accountKey,
          },
          output:
            options.output === undefined
              ? undefined
              : {
                  uri: options.output,
                  accessKeyId: options.outputAccessKeyId,
                  secretAccessKey: options.outputAccessKeyId === undefined ? undefined : environment.outputSecretAccessKey,
                  sasToken: isAzure(options.output) ? environment.outputAzureSasToken : undefined,
                },
          include: options.include,
          exclude: options.exclude,
          relevantFilenames,
          thumbnails:
            options.thumbnails || options.thumbnailSize !== undefined
              ? { size: validateThumbnailSize(options.thumbnailSize ?? DEFAULT_THUMBNAIL_SIZE, '--thumbnail-size') }
              : undefined,
        });
        if (options.json) printJson(output, view);
        else printCreated(output, view);
      }),
    );

  dataset
    .command('edit <name>')
    .description("change a dataset's name, keys, output, filters, relevant filenames or thumbnails (not its input location); applies from the next sync")
    .option('--name <new-name>', 'rename the dataset')
    .option('--input <uri>', 'the input location: it cannot change (given only to check it)')
    .option('--region <region>', 'bucket region')
    .option('--endpoint <url>', 'custom endpoint')
    .option('--path-style', 'path-style addressing')
    .option('--access-key-id <id>', 'new access key id; its secret from WINNOW_SECRET_ACCESS_KEY or stdin')
    .option('--secret-access-key-stdin', 'read the (new) secret access key from the first line of stdin')
    .option('--session-token-stdin', 'read a session token from stdin (after the secret, if both)')
    .option('--sas-token-stdin', 'azure://: read a new SAS token from stdin')
    .option('--account-key-stdin', 'azure://: read a new storage account key from stdin')
    .option('--role-arn <arn>', 'assume this IAM role')
    .option('--external-id <id>', "external ID the role's trust policy requires")
    .option('--sse-kms-key-id <arn>', 'encrypt every write with this KMS key (SSE-KMS)')
    .option('--output <uri>', 'move the output (under <output>/.winnow/); its thumbnails are made again there, the old ones stay')
    .option('--output-access-key-id <id>', 'separate keys for the output; secret from WINNOW_OUTPUT_SECRET_ACCESS_KEY')
    .option('--output-same-as-input', 'write under the input location again')
    .option('--include <glob>', 'only keys matching this glob (repeatable; replaces the list)', collect, [])
    .option('--exclude <glob>', 'skip keys matching this glob (repeatable; replaces the list)', collect, [])
    .option('--clear-filters', 'drop every include and exclude glob')
    .option('--relevant-filenames <path>', 'a new file listing the keys to index')
    .option('--drop-relevant-filenames', 'index every image again, not only the listed ones')
    .option('--thumbnail-size <px>', 'make thumbnails of this size after every sync')
    .option('--thumbnails-off', 'stop making thumbnails')
    .option('--json', 'print JSON')
    .action(
      runner.run<EditOptions>(async (context, options, output, [name]) => {
        const view = await editDataset(context, name!, await editRequest(options));
        if (options.json) printJson(output, view);
        else printChanged(output, name!, view);
      }),
    );

  dataset
    .command('sync <name>')
    .description('index new and changed images, mark vanished ones removed (resumes an interrupted sync)')
    .option('--skip-verify', 'do not probe list/read access first (e.g. a list-only policy)')
    .option('--queue', 'PostgreSQL: hand the job to `winnow worker` processes and follow its progress')
    .option('--detach', 'PostgreSQL: queue the sync for `winnow worker` processes and return at once (implies --queue)')
    .option('--json', 'print a JSON summary')
    .action(
      runner.run<{ skipVerify?: boolean; queue?: boolean; detach?: boolean; json?: boolean }>(async (context, options, output, [name]) => {
        const progress = createSyncProgress(options.json === true);
        const thumbnailProgress = createThumbnailProgress(options.json === true);
        let thumbnailPhase = false;
        const onThumbnailProgress: typeof thumbnailProgress.update = (update) => {
          thumbnailPhase = true;
          progress.stop();
          thumbnailProgress.update(update);
        };
        const onRetry: typeof progress.retry = (retry) => (thumbnailPhase ? thumbnailProgress.retry(retry) : progress.retry(retry));
        try {
          const report = await runQueued(
            context,
            'sync',
            { dataset: name!, skipVerify: options.skipVerify },
            {
              inProcess: () => syncDataset(context, name!, { skipVerify: options.skipVerify, onProgress: progress.update, onThumbnailProgress, onRetry }),
              queue: options.queue,
              detach: options.detach,
              enqueue: (queue) => enqueueSyncOnce(context.database, queue, { dataset: name!, skipVerify: options.skipVerify }),
              output,
              onProgress: (update) => {
                if (update.phase === 'thumbnails') onThumbnailProgress(update as unknown as ThumbnailProgress);
                else progress.update(update as unknown as SyncProgress);
              },
              onRetry,
            },
          );
          progress.stop();
          if (report === undefined) return;
          thumbnailProgress.stop();
          if (options.json) printJson(output, report);
          else printSyncReport(output, report);
        } finally {
          progress.stop();
          thumbnailProgress.stop();
        }
      }),
    );

  dataset
    .command('list')
    .description('list datasets')
    .option('--json', 'print JSON')
    .action(
      runner.run<{ json?: boolean }>(async (context, options, output) => {
        const datasets = await listDatasets(context);
        if (options.json) return printJson(output, datasets);
        if (datasets.length === 0) return output.out('No datasets yet. Create one with `winnow dataset create <name> --input <uri>`.');
        output.out(
          formatTable([
            ['NAME', 'SAMPLES', 'LAST SYNC', 'INPUT'],
            ...datasets.map((d) => [d.name, formatCount(d.samples), d.lastSyncedAt ?? (d.syncStatus ? `(${d.syncStatus})` : 'never'), d.input]),
          ]),
        );
      }),
    );

  dataset
    .command('show <name>')
    .description('show a dataset, its locations and sample counts')
    .option('--json', 'print JSON')
    .action(
      runner.run<{ json?: boolean }>(async (context, options, output, [name]) => {
        const details = await showDataset(context, name!);
        if (options.json) printJson(output, details);
        else printDetails(output, details);
      }),
    );

  dataset
    .command('clean-outputs <name>')
    .description('delete the thumbnails of removed samples that a sync could not (once the keys may delete under <output>/.winnow/)')
    .option('--json', 'print JSON')
    .action(
      runner.run<{ json?: boolean }>(async (context, options, output, [name]) => {
        const cleanup = await cleanDatasetOutputs(context, name!);
        if (options.json) return printJson(output, cleanup);
        output.out(`Deleted ${formatCount(cleanup.deleted)} thumbnail(s) of removed samples from the output's .winnow/ folder.`);
        if (cleanup.left > 0) output.out(`warning: ${formatCount(cleanup.left)} left: ${cleanup.reason}`);
      }),
    );

  dataset
    .command('delete <name>')
    .description('delete a dataset from the catalog (the bucket is never touched)')
    .option('--json', 'print JSON')
    .action(
      runner.run<{ json?: boolean }>(async (context, options, output, [name]) => {
        await deleteDataset(context, name!);
        if (options.json) printJson(output, { deleted: name });
        else output.out(`Deleted dataset "${name}" from the catalog. Nothing in the bucket was touched.`);
      }),
    );
}

interface EditOptions {
  name?: string;
  input?: string;
  region?: string;
  endpoint?: string;
  pathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKeyStdin?: boolean;
  sessionTokenStdin?: boolean;
  sasTokenStdin?: boolean;
  accountKeyStdin?: boolean;
  roleArn?: string;
  externalId?: string;
  sseKmsKeyId?: string;
  output?: string;
  outputAccessKeyId?: string;
  outputSameAsInput?: boolean;
  include: string[];
  exclude: string[];
  clearFilters?: boolean;
  relevantFilenames?: string;
  dropRelevantFilenames?: boolean;
  thumbnailSize?: string;
  thumbnailsOff?: boolean;
  json?: boolean;
}

/** The flags given, as a patch: a flag left out leaves its setting as it is. */
async function editRequest(options: EditOptions): Promise<EditDatasetInput> {
  const conflicting = (a: boolean, b: boolean, message: string) => {
    if (a && b) throw new AppError('InputInvalid', message);
  };
  conflicting(options.output !== undefined, options.outputSameAsInput === true, 'Give either --output or --output-same-as-input, not both.');
  conflicting(options.include.length + options.exclude.length > 0, options.clearFilters === true, 'Give either globs or --clear-filters, not both.');
  conflicting(
    options.relevantFilenames !== undefined,
    options.dropRelevantFilenames === true,
    'Give either --relevant-filenames or --drop-relevant-filenames.',
  );
  conflicting(options.thumbnailSize !== undefined, options.thumbnailsOff === true, 'Give either --thumbnail-size or --thumbnails-off, not both.');
  const environment = readEnvironmentSecrets();
  const stdin = await readSecretsFromStdin(options.secretAccessKeyStdin === true, options.sessionTokenStdin === true);
  conflicting(options.sasTokenStdin === true, options.accountKeyStdin === true, 'Give either --sas-token-stdin or --account-key-stdin, not both.');
  const azure = {
    sasToken: options.sasTokenStdin ? await readOneSecretFromStdin('SAS token', '--sas-token-stdin') : undefined,
    accountKey: options.accountKeyStdin ? await readOneSecretFromStdin('account key', '--account-key-stdin') : undefined,
  };
  const input = Object.fromEntries(
    Object.entries({
      uri: options.input,
      region: options.region,
      endpoint: options.endpoint,
      pathStyle: options.pathStyle,
      accessKeyId: options.accessKeyId,
      secretAccessKey: stdin.secretAccessKey ?? (options.accessKeyId === undefined ? undefined : environment.secretAccessKey),
      sessionToken: stdin.sessionToken,
      sasToken: azure.sasToken,
      accountKey: azure.accountKey,
      roleArn: options.roleArn,
      externalId: options.externalId,
      sseKmsKeyId: options.sseKmsKeyId,
    }).filter(([, value]) => value !== undefined),
  );
  const filters = options.clearFilters ? { include: [], exclude: [] } : {};
  return {
    name: options.name,
    input: Object.keys(input).length === 0 ? undefined : input,
    output: options.outputSameAsInput
      ? null
      : options.output === undefined
        ? undefined
        : {
            uri: options.output,
            accessKeyId: options.outputAccessKeyId,
            secretAccessKey: options.outputAccessKeyId === undefined ? undefined : environment.outputSecretAccessKey,
          },
    include: options.include.length > 0 ? options.include : undefined,
    exclude: options.exclude.length > 0 ? options.exclude : undefined,
    ...filters,
    relevantFilenames: options.dropRelevantFilenames
      ? null
      : options.relevantFilenames === undefined
        ? undefined
        : { text: await readRelevantFile(options.relevantFilenames), source: options.relevantFilenames },
    thumbnails: options.thumbnailsOff
      ? null
      : options.thumbnailSize === undefined
        ? undefined
        : { size: validateThumbnailSize(options.thumbnailSize, '--thumbnail-size') },
  };
}

function printChanged(output: Output, oldName: string, view: DatasetView): void {
  output.out(`Changed dataset "${view.name}"${view.name === oldName ? '' : ` (was "${oldName}")`}`);
  output.out(
    `  input:  ${view.input.uri}${view.input.accessKeyId ? ` (access key ${view.input.accessKeyId})` : ''}${view.input.roleArn ? ` (role ${view.input.roleArn})` : ''}`,
  );
  output.out(`  output: ${view.output.uri}.winnow/`);
  if (view.include.length > 0) output.out(`  include: ${view.include.join(', ')}`);
  if (view.exclude.length > 0) output.out(`  exclude: ${view.exclude.join(', ')}`);
  output.out(`  thumbnails: ${view.thumbnailSize === null ? 'off' : `${view.thumbnailSize} px after every sync`}`);
  output.out(`Changes apply from the next sync: winnow dataset sync ${view.name}`);
}

/** An azure:// input's SAS token or account key: from stdin when asked, else from the environment. */
async function azureSecrets(
  options: CreateOptions,
  environment: EnvironmentSecrets,
): Promise<{ sasToken?: string | undefined; accountKey?: string | undefined }> {
  if (options.sasTokenStdin && options.accountKeyStdin) throw new AppError('InputInvalid', 'Give either --sas-token-stdin or --account-key-stdin, not both.');
  if (options.sasTokenStdin) return { sasToken: await readOneSecretFromStdin('SAS token', '--sas-token-stdin') };
  if (options.accountKeyStdin) return { accountKey: await readOneSecretFromStdin('account key', '--account-key-stdin') };
  if (!isAzure(options.input)) return {};
  return { sasToken: environment.azureSasToken, accountKey: environment.azureAccountKey };
}

function isAzure(uri: string): boolean {
  return /^\s*azure:\/\//i.test(uri);
}

async function readRelevantFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new AppError(
      'InputInvalid',
      `Cannot read the relevant-filenames file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
      { cause: error },
    );
  }
}

function printCreated(output: Output, view: DatasetView): void {
  output.out(`Created dataset "${view.name}"`);
  output.out(
    `  input:  ${view.input.uri}${view.input.preset ? ` (${view.input.preset})` : ''}${view.input.accessKeyId ? ` (access key ${view.input.accessKeyId})` : ''}${view.input.roleArn ? ` (role ${view.input.roleArn})` : ''}`,
  );
  output.out(`  output: ${view.output.uri}.winnow/`);
  if (view.thumbnailSize !== null) output.out(`  thumbnails: ${view.thumbnailSize} px, made after every sync under the output's .winnow/thumbnails/`);
  output.out(`Next: winnow datasource verify ${view.name}   then   winnow dataset sync ${view.name}`);
}

export function printSyncReport(output: Output, report: SyncReport): void {
  output.out(
    `Synced "${report.dataset}"${report.resumed ? ' (resumed)' : ''}: ${formatCount(report.total)} samples — added ${formatCount(report.added)}, updated ${formatCount(report.updated)}, removed ${formatCount(report.removed)}, failed ${formatCount(report.failed)} (${(report.durationMs / 1000).toFixed(1)} s${report.shards > 1 ? `, listed in ${formatCount(report.shards)} shards` : ''})`,
  );
  if (report.thumbnails) printThumbnailReport(output, report.thumbnails);
  if (report.orphanedOutputs.deleted > 0) output.out(`Deleted ${formatCount(report.orphanedOutputs.deleted)} thumbnail(s) of removed samples.`);
  for (const warning of report.warnings) output.out(`warning: ${warning}`);
  printRelevantProblems(output, {
    missing: { count: report.relevantMissing.length, first: report.relevantMissing },
    outside: { count: report.relevantOutside.length, first: report.relevantOutside },
    repeated: { count: report.relevantRepeated.length, first: report.relevantRepeated },
    skipped: { count: report.relevantSkipped.length, first: report.relevantSkipped },
  });
  if (report.failed > 0) output.out(`See the failures with: winnow samples list ${report.dataset} --status error`);
}

const RELEVANT_PROBLEMS = {
  missing: 'not found in the bucket',
  outside: 'outside the input location (never indexed)',
  repeated: 'listed more than once',
  skipped: 'dropped by the dataset filters (not an image, excluded, or under .winnow/)',
} as const;

/** One line per kind of problem with the relevant-filenames list: the count and the first few keys. */
function printRelevantProblems(output: Output, groups: Record<keyof typeof RELEVANT_PROBLEMS, { count: number; first: string[] }>, allWith = '--json'): void {
  const FIRST = 3;
  for (const [group, what] of Object.entries(RELEVANT_PROBLEMS) as Array<[keyof typeof RELEVANT_PROBLEMS, string]>) {
    const { count, first } = groups[group];
    if (count === 0) continue;
    const shown = first
      .slice(0, FIRST)
      .map((key) => JSON.stringify(key))
      .join(', ');
    output.out(`warning: ${formatCount(count)} relevant filename(s) ${what}: ${shown}${count > FIRST ? `, … (all of them: ${allWith})` : ''}`);
  }
}

function printDetails(output: Output, details: DatasetDetails): void {
  output.out(`Dataset "${details.name}" (created ${details.createdAt})`);
  output.out(
    `  input:   ${details.input.uri}${details.input.endpoint ? ` via ${details.input.endpoint}` : ''}${details.input.accessKeyId ? `, access key ${details.input.accessKeyId}` : ''}${details.input.roleArn ? `, role ${details.input.roleArn}` : ''}`,
  );
  output.out(`  output:  ${details.output.uri}.winnow/${details.output.sseKmsKeyId ? ` (SSE-KMS ${details.output.sseKmsKeyId})` : ''}`);
  if (details.include.length > 0) output.out(`  include: ${details.include.join(', ')}`);
  if (details.exclude.length > 0) output.out(`  exclude: ${details.exclude.join(', ')}`);
  const s = details.samples;
  output.out(
    `  samples: ${formatCount(s.total)} (${formatCount(s.ok)} ok, ${formatCount(s.error)} errors, ${formatCount(s.pending)} without dimensions, ${formatCount(s.removed)} removed)`,
  );
  const t = details.thumbnails;
  output.out(
    `  thumbnails: ${details.thumbnailSize === null ? 'not made on sync' : `${details.thumbnailSize} px after every sync`}; ${formatCount(t.ok)} made, ${formatCount(t.rejected)} unusable images, ${formatCount(t.missing)} missing`,
  );
  const sync = details.lastSync;
  output.out(
    `  sync:    ${sync ? `${sync.status} (generation ${sync.generation}, ${sync.finishedAt ?? `started ${sync.startedAt}`})${sync.error ? ` — ${sync.error}` : ''}` : 'never'}`,
  );
  if (sync?.status === 'interrupted')
    output.out(`           the process that ran it is gone; \`winnow dataset sync ${details.name}\` resumes where it stopped`);
  const orphans = details.orphanedOutputs;
  if (orphans.count > 0) {
    output.out(
      `  orphaned outputs: ${formatCount(orphans.count)} thumbnail(s) of removed samples still in ${details.output.uri}.winnow/ (${orphans.first.slice(0, 3).join(', ')}${orphans.count > 3 ? ', …' : ''})`,
    );
    output.out(
      `           ${orphans.deleteAllowed === false ? 'the keys may not delete there; once delete is granted, run' : 'delete them with'} \`winnow dataset clean-outputs ${details.name}\``,
    );
  }
  if (details.relevantFilenames) {
    output.out(`  relevant filenames: ${formatCount(details.relevantFilenames.listed)} listed`);
    printRelevantProblems(output, details.relevantFilenames, `winnow dataset sync ${details.name} --json`);
  }
}
