import { AppError, isAppError, quoteInput } from '../errors.js';
import { checkEndpointUrl, withoutUserInfo, type EndpointRules } from './endpoint-guard.js';
import { externalIdProblem } from '../model/external-id.js';
import { formatLocation, parseLocation, type Location } from '../model/location.js';
import { accountKeyProblem, parseSasToken } from './azure-sas.js';
import { isPresetId, needsAccountId, presetEndpoint, PRESET_IDS, S3_PRESETS, type PresetId } from '../model/s3-presets.js';

/** How to reach one location, as the user gave it (secrets included, so never log this). */
export interface ConnectionSettings {
  uri: string;
  region?: string | undefined;
  endpoint?: string | undefined;
  pathStyle?: boolean | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
  sseKmsKeyId?: string | undefined;
  roleArn?: string | undefined;
  externalId?: string | undefined;
  /** Role session length, 900 s to 12 h. */
  roleSessionSeconds?: number | undefined;
  /** An S3-compatible store's preset (s3-presets.ts): endpoint, path style and region rules. */
  preset?: string | undefined;
  /** The account id some presets' endpoints need (Cloudflare R2). */
  accountId?: string | undefined;
  /** Azure: a SAS token (container- or directory-scoped). */
  sasToken?: string | undefined;
  /** Azure: the storage account's shared key. */
  accountKey?: string | undefined;
}

/** How Winnow signs Azure requests: with the user's SAS token, or with the account's shared key. */
export type AzureCredential = { kind: 'sas'; token: string } | { kind: 'shared-key'; accountKey: string };

export interface ValidatedConnection {
  location: Location;
  region: string;
  endpoint: string | undefined;
  pathStyle: boolean;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  sessionToken: string | undefined;
  sseKmsKeyId: string | undefined;
  role: RoleSettings | undefined;
  preset: PresetId | undefined;
  azure: AzureCredential | undefined;
}

export interface RoleSettings {
  roleArn: string;
  externalId: string | undefined;
  sessionSeconds: number;
}

export const DEFAULT_REGION = 'us-east-1';

/** Checks a location's settings, reporting every problem at once; `label` is "input" or "output". */
export function validateConnection(settings: ConnectionSettings, label: string, endpointRules: EndpointRules): ValidatedConnection {
  const problems: string[] = [];
  let location: Location | undefined;
  try {
    location = parseLocation(settings.uri);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const preset = presetProblems(settings, location, problems);
  const region = presetRegion(settings, preset, problems);
  const endpoint = settings.endpoint ?? (preset === undefined ? undefined : presetEndpoint(S3_PRESETS[preset], { accountId: settings.accountId, region }));
  if (!/^[a-z]{2}(-[a-z0-9]+)+$|^[a-z0-9-]+$/.test(region)) problems.push(`region ${quoteInput(region)} is not a region name such as eu-west-1`);
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    problems.push(`endpoint ${quoteInput(withoutUserInfo(endpoint))} must be an http:// or https:// URL, e.g. https://minio.example.com:9000`);
  } else if (endpoint !== undefined) {
    try {
      checkEndpointUrl(endpoint, endpointRules);
    } catch (error) {
      if (!isAppError(error)) throw error;
      throw new AppError(error.code, `The ${label} location is not usable: ${error.message}`, { hint: error.hint, details: error.details });
    }
  }
  if (location?.kind === 'azure') problems.push(...azureProblems(settings));
  else problems.push(...s3Problems(settings, location));
  if (location?.kind !== 'azure' && (settings.sasToken !== undefined || settings.accountKey !== undefined)) {
    problems.push('a SAS token or account key is only for azure:// locations');
  }
  if (problems.length > 0 || location === undefined) {
    throw new AppError('InputInvalid', `The ${label} location is not usable:\n  - ${problems.join('\n  - ')}`, {
      hint: 'Fix the values above and run the command again.',
      details: { problems },
    });
  }
  return {
    location,
    region,
    endpoint: endpoint?.replace(/\/+$/, ''),
    pathStyle: settings.pathStyle ?? (preset === undefined ? false : S3_PRESETS[preset].pathStyle),
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    sessionToken: settings.sessionToken,
    sseKmsKeyId: settings.sseKmsKeyId,
    role:
      settings.roleArn === undefined
        ? undefined
        : { roleArn: settings.roleArn, externalId: settings.externalId, sessionSeconds: settings.roleSessionSeconds ?? DEFAULT_ROLE_SESSION_SECONDS },
    preset,
    azure: azureCredential(settings),
  };
}

/** The preset that applies (gs:// locations always use `gcs`), with problems for presets that do not fit the location. */
function presetProblems(settings: ConnectionSettings, location: Location | undefined, problems: string[]): PresetId | undefined {
  const given = settings.preset;
  if (given !== undefined && !isPresetId(given)) {
    problems.push(`preset ${quoteInput(given)} is not known; use one of ${PRESET_IDS.join(', ')}`);
    return undefined;
  }
  if (location === undefined) return given;
  if (location.kind === 'gcs') {
    if (given !== undefined && given !== 'gcs') problems.push(`preset ${given} does not apply to a gs:// location (Google Cloud Storage)`);
    return 'gcs';
  }
  if (given === undefined) {
    if (settings.accountId !== undefined) problems.push('--account-id goes with a preset whose endpoint needs it (--preset r2)');
    return undefined;
  }
  if (location.kind !== 's3') {
    problems.push(`preset ${given} is for s3:// locations; ${formatLocation(location)} is ${location.kind === 'azure' ? 'in Azure Blob' : 'a local folder'}`);
    return undefined;
  }
  if (given === 'gcs') problems.push('Google Cloud Storage locations are written gs://bucket/prefix/ (the gcs preset comes with them)');
  const preset = S3_PRESETS[given];
  if (needsAccountId(preset) && settings.endpoint === undefined) {
    if (settings.accountId === undefined) problems.push(`preset ${given} needs the account id (--account-id): its endpoint is ${preset.endpointTemplate}`);
    else if (!/^[A-Za-z0-9-]{1,64}$/.test(settings.accountId))
      problems.push(`account id ${quoteInput(settings.accountId)} must be letters, digits and hyphens (Cloudflare shows a 32-character hex id)`);
  } else if (settings.accountId !== undefined && !needsAccountId(preset)) {
    problems.push(`preset ${given} does not use --account-id`);
  }
  if (preset.endpointTemplate === undefined && settings.endpoint === undefined) {
    problems.push(`preset ${given} (${preset.label}) is self-hosted: give its address with --endpoint, e.g. https://${given}.example.com:9000`);
  }
  if (settings.sseKmsKeyId !== undefined && !preset.sseKms) problems.push(`${preset.label} does not support SSE-KMS; leave out the SSE-KMS key`);
  return given;
}

function presetRegion(settings: ConnectionSettings, preset: PresetId | undefined, problems: string[]): string {
  if (preset === undefined) return settings.region ?? DEFAULT_REGION;
  const rule = S3_PRESETS[preset].region;
  if ('fixed' in rule) {
    if (settings.region !== undefined && settings.region !== rule.fixed)
      problems.push(`${S3_PRESETS[preset].label} signs with region "${rule.fixed}" only, not ${quoteInput(settings.region)}`);
    return rule.fixed;
  }
  const region = settings.region ?? rule.default;
  if (region === undefined) {
    problems.push(`${S3_PRESETS[preset].label} needs the bucket's region (--region), e.g. ${rule.example}`);
    return DEFAULT_REGION;
  }
  return region;
}

function s3Problems(settings: ConnectionSettings, location: Location | undefined): string[] {
  const problems: string[] = [];
  if (settings.accessKeyId !== undefined && !/^[\x21-\x7e]{3,128}$/.test(settings.accessKeyId)) {
    problems.push('the access key id must be 3-128 visible ASCII characters without spaces');
  }
  if (settings.accessKeyId !== undefined && settings.secretAccessKey === undefined) {
    problems.push(
      `access key id ${quoteInput(settings.accessKeyId)} was given without its secret: set WINNOW_SECRET_ACCESS_KEY or pass --secret-access-key-stdin`,
    );
  }
  if (settings.accessKeyId === undefined && settings.secretAccessKey !== undefined) {
    problems.push('a secret access key was given without --access-key-id');
  }
  if (settings.sessionToken !== undefined && settings.accessKeyId === undefined) problems.push('a session token was given without --access-key-id');
  if (
    settings.sseKmsKeyId !== undefined &&
    !/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+|[0-9a-f-]{36}|alias\/[\w/-]+)$/.test(settings.sseKmsKeyId)
  ) {
    problems.push(`SSE-KMS key ${quoteInput(settings.sseKmsKeyId)} must be a key ARN, a key id (UUID) or alias/name`);
  }
  problems.push(...roleProblems(settings));
  if (location?.kind === 'gcs' && settings.roleArn !== undefined)
    problems.push('a gs:// location is reached with an HMAC key (--access-key-id), not an AWS role');
  if (location?.kind === 'gcs' && settings.accessKeyId === undefined) {
    problems.push('a gs:// location needs the HMAC key of a service account: --access-key-id (GOOG…) and its secret');
  }
  if (
    location?.kind === 'local' &&
    (settings.roleArn !== undefined || settings.accessKeyId !== undefined || settings.endpoint !== undefined || settings.sseKmsKeyId !== undefined)
  ) {
    problems.push(`${formatLocation(location)} is a local folder; S3 settings (keys, endpoint, SSE-KMS) do not apply`);
  }
  return problems;
}

function azureProblems(settings: ConnectionSettings): string[] {
  const problems: string[] = [];
  const s3Only = {
    '--region': settings.region,
    '--path-style': settings.pathStyle ? true : undefined,
    '--access-key-id': settings.accessKeyId,
    'a secret access key': settings.secretAccessKey,
    'a session token': settings.sessionToken,
    '--sse-kms-key-id': settings.sseKmsKeyId,
    '--role-arn': settings.roleArn,
    '--external-id': settings.externalId,
  };
  const misplaced = Object.entries(s3Only)
    .filter(([, value]) => value !== undefined)
    .map(([name]) => name);
  if (misplaced.length > 0)
    problems.push(
      `${misplaced.join(', ')} ${misplaced.length === 1 ? 'is' : 'are'} for S3 locations; an azure:// location takes a SAS token or the account key`,
    );
  if (settings.sasToken !== undefined && settings.accountKey !== undefined) problems.push('give either a SAS token or the account key, not both');
  if (settings.sasToken === undefined && settings.accountKey === undefined) {
    problems.push(
      'an azure:// location needs a SAS token (WINNOW_AZURE_SAS_TOKEN or --sas-token-stdin) or the account key (WINNOW_AZURE_ACCOUNT_KEY or --account-key-stdin)',
    );
  }
  if (settings.sasToken !== undefined) {
    const parsed = parseSasToken(settings.sasToken);
    if (typeof parsed === 'string') problems.push(parsed);
  }
  if (settings.accountKey !== undefined) {
    const problem = accountKeyProblem(settings.accountKey);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

function azureCredential(settings: ConnectionSettings): AzureCredential | undefined {
  if (settings.sasToken !== undefined) return { kind: 'sas', token: settings.sasToken.trim().replace(/^\?/, '') };
  if (settings.accountKey !== undefined) return { kind: 'shared-key', accountKey: settings.accountKey.trim() };
  return undefined;
}

export const DEFAULT_ROLE_SESSION_SECONDS = 3_600;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
function roleProblems(settings: ConnectionSettings): string[] {
  const problems: string[] = [];
  if (settings.roleArn === undefined) {
    if (settings.externalId !== undefined) problems.push('--external-id needs --role-arn');
    if (settings.roleSessionSeconds !== undefined) problems.push('--role-session-duration needs --role-arn');
    return problems;
  }
  if (!ROLE_ARN.test(settings.roleArn)) {
    problems.push(
      `role ARN ${quoteInput(settings.roleArn)} must look like arn:aws:iam::123456789012:role/WinnowAccess (12-digit account id, role name of letters, digits and +=,.@_-)`,
    );
  }
  const externalIdIssue = settings.externalId === undefined ? undefined : externalIdProblem(settings.externalId);
  if (externalIdIssue !== undefined) problems.push(externalIdIssue);
  const seconds = settings.roleSessionSeconds;
  if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 900 || seconds > 43_200)) {
    problems.push(`the role session duration must be 900 to 43200 seconds (15 min to 12 h), got ${seconds}`);
  }
  if (settings.sessionToken !== undefined) problems.push('a session token cannot be combined with --role-arn (Winnow gets its own from STS)');
  return problems;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
