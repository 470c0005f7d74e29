import { AppError } from '../errors.js';
import { formatLocation, parseLocation, type Location } from './location.js';

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
}

export const DEFAULT_REGION = 'us-east-1';

/** Checks a location's settings, reporting every problem at once; `label` is "input" or "output". */
export function validateConnection(settings: ConnectionSettings, label: string): ValidatedConnection {
  const problems: string[] = [];
  let location: Location | undefined;
  try {
    location = parseLocation(settings.uri);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const region = settings.region ?? DEFAULT_REGION;
  if (!/^[a-z]{2}(-[a-z0-9]+)+$|^[a-z0-9-]+$/.test(region)) problems.push(`region "${region}" is not a region name such as eu-west-1`);
  if (settings.endpoint !== undefined && !isHttpUrl(settings.endpoint)) {
    problems.push(`endpoint "${settings.endpoint}" must be an http:// or https:// URL, e.g. https://minio.example.com:9000`);
  }
  if (settings.accessKeyId !== undefined && !/^[\x21-\x7e]{3,128}$/.test(settings.accessKeyId)) {
    problems.push('the access key id must be 3-128 visible ASCII characters without spaces');
  }
  if (settings.accessKeyId !== undefined && settings.secretAccessKey === undefined) {
    problems.push(`access key id ${settings.accessKeyId} was given without its secret: set WINNOW_SECRET_ACCESS_KEY or pass --secret-access-key-stdin`);
  }
  if (settings.accessKeyId === undefined && settings.secretAccessKey !== undefined) {
    problems.push('a secret access key was given without --access-key-id');
  }
  if (settings.sessionToken !== undefined && settings.accessKeyId === undefined) problems.push('a session token was given without --access-key-id');
  if (settings.sseKmsKeyId !== undefined && !/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+|[0-9a-f-]{36}|alias\/[\w/-]+)$/.test(settings.sseKmsKeyId)) {
    problems.push(`SSE-KMS key "${settings.sseKmsKeyId}" must be a key ARN, a key id (UUID) or alias/name`);
  }
  if (location?.kind === 'local' && (settings.accessKeyId !== undefined || settings.endpoint !== undefined || settings.sseKmsKeyId !== undefined)) {
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
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
