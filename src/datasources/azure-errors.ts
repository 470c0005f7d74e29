import { AppError, type ErrorCode } from '../errors.js';
import type { SasToken } from './azure-sas.js';
import { findNetworkCode, isPassingStatus } from './network-errors.js';

/** The Blob REST calls Winnow makes. */
export type AzureOperation = 'List Blobs' | 'Get Blob' | 'Put Blob' | 'Delete Blob';

export interface AzureCallContext {
  operation: AzureOperation;
  account: string;
  container: string;
  /** Full blob name for blob calls, the listed prefix for List Blobs. */
  key: string;
  endpoint: string;
  /** The SAS token the call was signed with (parsed); undefined with the shared key. */
  sas: SasToken | undefined;
  now: Date;
}

/** The SAS permission letter each call needs, and the RBAC role that grants it. */
export const AZURE_PERMISSION: Record<AzureOperation, { letter: string; needs: string; role: string }> = {
  'List Blobs': { letter: 'l', needs: 'l (list)', role: 'Storage Blob Data Reader' },
  'Get Blob': { letter: 'r', needs: 'r (read)', role: 'Storage Blob Data Reader' },
  // Put Blob creates a new blob with c or w; replacing an existing one needs w.
  'Put Blob': { letter: 'w', needs: 'c (create) for a new blob, w (write) to overwrite one', role: 'Storage Blob Data Contributor' },
  'Delete Blob': { letter: 'd', needs: 'd (delete)', role: 'Storage Blob Data Contributor' },
};

/**
 * Turns a Blob service error (an SDK RestError, or a socket error) into an AppError naming the call,
 * the SAS permission letter it needs and what the token holds. The vendor error is not kept as the
 * cause: its request carries the SAS token in its URL.
 */
export function translateAzureError(error: unknown, context: AzureCallContext): AppError {
  const vendor = error as { code?: string; statusCode?: number; message?: string; details?: { errorCode?: string; authenticationErrorDetail?: string } };
  const azureCode = vendor.details?.errorCode ?? vendor.code ?? 'Unknown';
  const status = vendor.statusCode;
  const call = describeAzureCall(context);
  const permission = AZURE_PERMISSION[context.operation];
  const details = {
    operation: context.operation,
    azureCode,
    httpStatus: status,
    action: `SAS ${permission.letter}`,
    resource: resourceOf(context),
    endpoint: context.endpoint,
  };
  const cause = new Error(`${context.operation} failed: ${azureCode}${status ? ` (HTTP ${status})` : ''}`);
  const fail = (code: ErrorCode, message: string, hint: string) => new AppError(code, message, { cause, hint, details });

  const networkCode = findNetworkCode(error);
  if (networkCode !== undefined || azureCode === 'REQUEST_SEND_ERROR') {
    return fail(
      'DatasourceUnreachable',
      `${call} could not reach ${context.endpoint} (${networkCode ?? azureCode}).`,
      'Check the endpoint URL, the network and that the storage account exists.',
    );
  }
  const sas = context.sas;
  switch (azureCode) {
    case 'AuthorizationPermissionMismatch':
    case 'AuthorizationResourceTypeMismatch':
    case 'AuthorizationServiceMismatch':
      return fail(
        'DatasourceAccessDenied',
        `${call} was denied (${azureCode}): ${sasGrants(sas)}, but ${context.operation} needs ${permission.needs}.`,
        permissionFix(context),
      );
    case 'AuthorizationFailure':
    case 'AuthenticationFailed':
      return refused(context, azureCode, vendor.details?.authenticationErrorDetail, fail);
    case 'NoAuthenticationInformation':
    case 'PublicAccessNotPermitted':
      return fail(
        'DatasourceAccessDenied',
        `${call} was refused: the request carried no credentials the account accepts (${azureCode}).`,
        'Give the dataset a SAS token or the account key.',
      );
    case 'ContainerNotFound':
      return fail(
        'DatasourceBucketNotFound',
        `${call} failed: container "${context.container}" does not exist in storage account ${context.account}.`,
        'Check the container in the azure://account/container/ location.',
      );
    case 'BlobNotFound':
    case 'ResourceNotFound':
      return fail('ObjectNotFound', `${call} failed: the blob no longer exists.`, 'Run a sync to refresh the catalog.');
    case 'AccountIsDisabled':
    case 'InvalidUri':
    default:
      if (isPassingStatus(status)) {
        return fail(
          'DatasourceUnavailable',
          `${call} failed with ${azureCode} (HTTP ${status})${vendor.message ? `: ${firstLine(vendor.message)}` : ''}.`,
          'The storage account is throttling or failing for now: the next run tries this blob again; if it persists, check the storage account in the Azure portal.',
        );
      }
      return fail(
        'DatasourceError',
        `${call} failed with ${azureCode}${status ? ` (HTTP ${status})` : ''}${vendor.message ? `: ${firstLine(vendor.message)}` : ''}.`,
        'Retry later; if it persists, check the storage account in the Azure portal.',
      );
  }
}

export function describeAzureCall(context: Pick<AzureCallContext, 'operation' | 'account' | 'container' | 'key'>): string {
  const where = `azure://${context.account}/${context.container}/${context.key}`;
  return context.operation === 'List Blobs' ? `Azure List Blobs on ${where}` : `Azure ${context.operation} of ${where}`;
}

function resourceOf(context: AzureCallContext): string {
  return `azure://${context.account}/${context.container}/${context.key}`;
}

/**
 * A request the service would not authenticate or authorize as a whole. Azure answers an expired SAS
 * or one signed for another container with AuthenticationFailed, Azurite with AuthorizationFailure;
 * the token's own fields tell which it is (its scope is only in its signature, so that one is inferred).
 */
function refused(
  context: AzureCallContext,
  azureCode: string,
  detail: string | undefined,
  fail: (code: ErrorCode, message: string, hint: string) => AppError,
): AppError {
  const call = describeAzureCall(context);
  const sas = context.sas;
  const reason = `${azureCode}${detail ? `: ${firstLine(detail)}` : ''}`;
  if (sas === undefined) {
    if (azureCode === 'AuthenticationFailed') {
      return fail(
        'DatasourceSignatureMismatch',
        `${call} was rejected (${reason}): the account key does not sign requests for storage account ${context.account}.`,
        'Re-enter key1 or key2 from the storage account\'s "Access keys" page; a rotated key stops working at once.',
      );
    }
    return fail(
      'DatasourceAccessDenied',
      `${call} was denied (${reason}): the account key was refused. It may not be a key of storage account ${context.account} (Azurite answers a wrong key this way), or the account's firewall or network rules refuse this machine.`,
      'Re-enter key1 or key2 from the storage account\'s "Access keys" page, and check its networking settings (allowed networks, private endpoints).',
    );
  }
  if (sas.expiresOn !== undefined && sas.expiresOn.getTime() <= context.now.getTime()) {
    return fail(
      'DatasourceCredentialsExpired',
      `${call} was rejected (${reason}): the SAS token expired at ${sas.expiresOn.toISOString()}.`,
      'Make a new SAS token and create the dataset again with it.',
    );
  }
  if (sas.startsOn !== undefined && sas.startsOn.getTime() > context.now.getTime()) {
    return fail(
      'DatasourceCredentialsExpired',
      `${call} was rejected (${reason}): the SAS token is valid only from ${sas.startsOn.toISOString()}.`,
      'Wait until then, or make a token whose start time is in the past (allow for clock skew).',
    );
  }
  const permission = AZURE_PERMISSION[context.operation];
  if (sas.permissions !== undefined && !grantsLetter(sas, permission.letter) && !(context.operation === 'Put Blob' && grantsLetter(sas, 'c'))) {
    return fail(
      'DatasourceAccessDenied',
      `${call} was denied (${reason}): ${sasGrants(sas)}, but ${context.operation} needs ${permission.needs}.`,
      permissionFix(context),
    );
  }
  const scope =
    sas.resource === 'c'
      ? 'a container'
      : sas.resource === 'd'
        ? 'a directory'
        : sas.resource === 'b'
          ? 'one blob'
          : sas.resource === undefined
            ? 'the account'
            : `resource "${sas.resource}"`;
  return fail(
    'DatasourceAccessDenied',
    `${call} was rejected (${reason}): ${sasGrants(sas)} and has not expired, but it is signed for ${scope} that does not hold ${context.operation === 'List Blobs' ? 'this folder' : 'this blob'}: it is likely scoped to another container or directory (or the key that signed it was rotated, or the account's network rules refuse this machine).`,
    `Make a SAS token for container ${context.container}${context.key.includes('/') ? ` (or its directory ${context.key.slice(0, context.key.indexOf('/') + 1)})` : ''} with the permissions \`winnow policy generate --input azure://${context.account}/${context.container}/…\` prints.`,
  );
}

function grantsLetter(sas: SasToken, letter: string): boolean {
  return sas.permissions?.includes(letter) ?? false;
}

function sasGrants(sas: SasToken | undefined): string {
  if (sas === undefined) return 'the account key was used';
  if (sas.storedPolicy !== undefined && sas.permissions === undefined)
    return `the SAS token takes its permissions from stored access policy "${sas.storedPolicy}"`;
  return `the SAS token grants "${sas.permissions ?? ''}"`;
}

/** Which letters to add: Put Blob with c alone creates but cannot overwrite, so w is what overwrite needs. */
function permissionFix(context: AzureCallContext): string {
  const permission = AZURE_PERMISSION[context.operation];
  const sas = context.sas;
  if (sas === undefined) return `Grant the identity the ${permission.role} role on container ${context.container}.`;
  const held = sas.permissions ?? '';
  let missing: string;
  if (context.operation === 'Put Blob') missing = held.includes('c') ? 'w' : 'c and w';
  else missing = permission.letter;
  const where = sas.storedPolicy !== undefined && sas.permissions === undefined ? `stored access policy "${sas.storedPolicy}"` : 'the SAS token';
  return `Add ${missing} to the permissions of ${where} (now "${held}"): ${context.operation} needs ${permission.needs}. Make a new token with e.g. \`az storage container generate-sas --permissions ${mergeLetters(held, missing.replace(' and ', ''))}\`.`;
}

/** SAS letters in the order Azure expects them (racwdl…). */
function mergeLetters(held: string, extra: string): string {
  const order = 'racwdxyltmeopi';
  const letters = new Set([...held, ...extra]);
  return [...order].filter((letter) => letters.has(letter)).join('');
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim().replace(/\.$/, '');
}
