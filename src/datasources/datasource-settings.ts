import { AppError, isAppError, quoteInput } from '../errors.js';
import { checkEndpointUrl, withoutUserInfo, type EndpointRules } from './endpoint-guard.js';
import { externalIdProblem } from '../model/external-id.js';
import { formatLocation, parseLocation, type Location } from '../model/location.js';

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
}

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
  const region = settings.region ?? DEFAULT_REGION;
  if (!/^[a-z]{2}(-[a-z0-9]+)+$|^[a-z0-9-]+$/.test(region)) problems.push(`region ${quoteInput(region)} is not a region name such as eu-west-1`);
  if (settings.endpoint !== undefined && !isHttpUrl(settings.endpoint)) {
    problems.push(`endpoint ${quoteInput(withoutUserInfo(settings.endpoint))} must be an http:// or https:// URL, e.g. https://minio.example.com:9000`);
  } else if (settings.endpoint !== undefined) {
    try {
      checkEndpointUrl(settings.endpoint, endpointRules);
    } catch (error) {
      if (!isAppError(error)) throw error;
      throw new AppError(error.code, `The ${label} location is not usable: ${error.message}`, { hint: error.hint, details: error.details });
    }
  }
  if (settings.accessKeyId !== undefined && !/^[\x21-\x7e]{3,128}$/.test(settings.accessKeyId)) {
    problems.push('the access key id must be 3-128 visible ASCII characters without spaces');
  }
  if (settings.accessKeyId !== undefined && settings.secretAccessKey === undefined) {
    problems.push(`access key id ${quoteInput(settings.accessKeyId)} was given without its secret: set WINNOW_SECRET_ACCESS_KEY or pass --secret-access-key-stdin`);
  }
  if (settings.accessKeyId === undefined && settings.secretAccessKey !== undefined) {
    problems.push('a secret access key was given without --access-key-id');
  }
  if (settings.sessionToken !== undefined && settings.accessKeyId === undefined) problems.push('a session token was given without --access-key-id');
  if (settings.sseKmsKeyId !== undefined && !/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+|[0-9a-f-]{36}|alias\/[\w/-]+)$/.test(settings.sseKmsKeyId)) {
    problems.push(`SSE-KMS key ${quoteInput(settings.sseKmsKeyId)} must be a key ARN, a key id (UUID) or alias/name`);
  }
  problems.push(...roleProblems(settings));
  if (location?.kind === 'local' && (settings.roleArn !== undefined || settings.accessKeyId !== undefined || settings.endpoint !== undefined || settings.sseKmsKeyId !== undefined)) {
    problems.push(`${formatLocation(location)} is a local folder; S3 settings (keys, endpoint, SSE-KMS) do not apply`);
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
    endpoint: settings.endpoint?.replace(/\/+$/, ''),
    pathStyle: settings.pathStyle ?? false,
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    sessionToken: settings.sessionToken,
    sseKmsKeyId: settings.sseKmsKeyId,
    role:
      settings.roleArn === undefined
        ? undefined
        : { roleArn: settings.roleArn, externalId: settings.externalId, sessionSeconds: settings.roleSessionSeconds ?? DEFAULT_ROLE_SESSION_SECONDS },
  };
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
    problems.push(`role ARN ${quoteInput(settings.roleArn)} must look like arn:aws:iam::123456789012:role/WinnowAccess (12-digit account id, role name of letters, digits and +=,.@_-)`);
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
