import { AppError } from '../errors.js';
import type { Light } from '../model/lights.js';
import { formatLocation, winnowPrefix, type Location } from '../model/location.js';
import { S3_PRESETS, type PresetId } from '../model/s3-presets.js';

/**
 * Least-privilege recipes for stores whose access is not an AWS IAM policy: the SAS permissions and
 * RBAC role (with conditions) for Azure Blob, the custom roles and IAM conditions for Google Cloud
 * Storage, the key scopes of Cloudflare R2 and Backblaze B2. Pure: nothing here is checked against
 * the real services (they cannot be reached from where Winnow is tested); Azure's SAS letters are
 * checked against Azurite by the tests of the Azure adapter.
 */
export interface RecipeRequest {
  input: Location;
  output?: Location | undefined;
  /** The write and overwrite lights. */
  write: boolean;
  delete: boolean;
  /** False: list-only. */
  read?: boolean | undefined;
}

export interface StorageRecipe {
  store: 'azure' | 'gcs' | PresetId;
  summary: string;
  lights: Record<Light, boolean>;
  [detail: string]: unknown;
}

type AzureLocation = Extract<Location, { kind: 'azure' }>;

const BLOB_ACTION = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs';

/** SAS tokens (letters per location) and, for user delegation SAS, the RBAC roles with conditions on the folder. */
export function azureRecipe(request: RecipeRequest): StorageRecipe {
  const input = requireKind(request.input, 'azure', 'input');
  const output = requireKind(request.output ?? request.input, 'azure', 'output');
  const read = request.read !== false;
  const inputLetters = read ? 'rl' : 'l';
  // Put Blob creates with c and replaces with w; Winnow rewrites its thumbnails README, so writing needs both.
  const outputLetters = `${request.write ? 'cw' : ''}${request.delete ? 'd' : ''}`;
  const folder = winnowPrefix(output);
  const sameContainer = input.account === output.account && input.container === output.container;
  const sas = [sasEntry('input', input, inputLetters, input.prefix)];
  if (outputLetters !== '') sas.push(sasEntry('output', output, outputLetters, folder));
  const rbac = [
    {
      for: 'input',
      role: 'Storage Blob Data Reader',
      scope: containerScope(input),
      conditionVersion: '2.0',
      condition: readCondition(input.container, input.prefix, read),
    },
  ];
  if (outputLetters !== '') {
    rbac.push({
      for: 'output',
      role: 'Storage Blob Data Contributor',
      scope: containerScope(output),
      conditionVersion: '2.0',
      condition: writeCondition(output.container, folder),
    });
  }
  return {
    store: 'azure',
    summary: `A SAS token with "${inputLetters}" for ${formatLocation(input)}${outputLetters === '' ? '' : ` and "${outputLetters}" for ${formatLocation(output)}.winnow/`}${sameContainer && outputLetters !== '' ? ` (or one token with "${mergeLetters(inputLetters + outputLetters)}" for both)` : ''}. Letters: l list, r read, c create, w write (overwrite), d delete.`,
    lights: { list: true, read, write: request.write, overwrite: request.write, delete: request.delete },
    sas,
    rbac,
    notes: [
      'A container SAS (sr=c) reaches the whole container: Winnow lists, reads and writes only inside the folders above, but the token does not enforce it. To enforce the folder, sign a directory SAS (sr=d) on an account with a hierarchical namespace, give the dataset a container of its own, or sign a user delegation SAS (--as-user) as a principal holding only the role assignments below.',
      'A user delegation SAS never grants more than the role of the principal that signed it; role assignment conditions (Azure ABAC) narrow that role to the folder. Check in your tenant that the conditions apply to the SAS you sign: Winnow cannot test Azure RBAC here.',
      "Give Winnow the token with WINNOW_AZURE_SAS_TOKEN or --sas-token-stdin (the output's own with WINNOW_OUTPUT_AZURE_SAS_TOKEN). A shared account key works too, but it can do anything in the account.",
      'Tokens expire: set --expiry to how long the dataset should work; `winnow datasource verify` reports an expired token.',
    ],
  };
}

function sasEntry(role: 'input' | 'output', location: AzureLocation, letters: string, folder: string) {
  return {
    for: role,
    location: `azure://${location.account}/${location.container}/${folder}`,
    permissions: letters,
    resource: 'container (sr=c), or directory (sr=d) on accounts with a hierarchical namespace',
    command: `az storage container generate-sas --account-name ${location.account} --name ${location.container} --permissions ${letters} --expiry <YYYY-MM-DDTHH:MMZ> --https-only --as-user --auth-mode login -o tsv`,
  };
}

function containerScope(location: AzureLocation): string {
  return `/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Storage/storageAccounts/${location.account}/blobServices/default/containers/${location.container}`;
}

/** Reads only under the prefix, and List Blobs only with a prefix inside it (the form of Microsoft's own example). */
function readCondition(container: string, prefix: string, read: boolean): string {
  const inContainer = `@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals '${container}'`;
  const reads = `(\n (\n  !(ActionMatches{'${BLOB_ACTION}/read'} AND NOT SubOperationMatches{'Blob.List'})\n )\n OR\n (\n  ${inContainer}\n  AND\n  @Resource[${BLOB_ACTION}:path] StringStartsWith '${prefix}'\n )\n)`;
  const lists = `(\n (\n  !(ActionMatches{'${BLOB_ACTION}/read'} AND SubOperationMatches{'Blob.List'})\n )\n OR\n (\n  ${inContainer}\n  AND\n  @Request[${BLOB_ACTION}:prefix] StringStartsWith '${prefix}'\n )\n)`;
  // List-only: a reader's role still holds blobs/read, so reads are refused outright and only listing stays.
  const noReads = `(\n !(ActionMatches{'${BLOB_ACTION}/read'} AND NOT SubOperationMatches{'Blob.List'})\n)`;
  return `${read ? reads : noReads}\nAND\n${lists}`;
}

/** Writes and deletes only under `<output>/.winnow/`. */
function writeCondition(container: string, folder: string): string {
  return `(\n (\n  !(ActionMatches{'${BLOB_ACTION}/write'})\n  AND\n  !(ActionMatches{'${BLOB_ACTION}/add/action'})\n  AND\n  !(ActionMatches{'${BLOB_ACTION}/delete'})\n )\n OR\n (\n  @Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals '${container}'\n  AND\n  @Resource[${BLOB_ACTION}:path] StringStartsWith '${folder}'\n )\n)`;
}

/** Custom roles bound on the buckets with IAM conditions on the object names (and the list prefix). */
export function gcsRecipe(request: RecipeRequest): StorageRecipe {
  const input = requireKind(request.input, 'gcs', 'input');
  const output = requireKind(request.output ?? request.input, 'gcs', 'output');
  const read = request.read !== false;
  const writes = request.write || request.delete;
  const folder = winnowPrefix(output);
  const member = 'serviceAccount:<name>@<project-id>.iam.gserviceaccount.com';
  const readerPermissions = read ? ['storage.objects.list', 'storage.objects.get'] : ['storage.objects.list'];
  // Replacing an object in GCS needs storage.objects.delete; Winnow rewrites its thumbnails README on every run.
  const writerPermissions = writes ? ['storage.objects.create', 'storage.objects.delete'] : [];
  const objectsUnder = (bucket: string, prefix: string) => `resource.name.startsWith('projects/_/buckets/${bucket}/objects/${prefix}')`;
  const listsUnder = (prefix: string) => `api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('${prefix}')`;
  const bindings = [
    {
      for: 'input',
      bucket: `gs://${input.bucket}`,
      member,
      role: 'projects/<project-id>/roles/winnowReader',
      condition: { title: 'winnow-input-folder', expression: `${objectsUnder(input.bucket, input.prefix)} || ${listsUnder(input.prefix)}` },
    },
  ];
  if (writes) {
    bindings.push({
      for: 'output',
      bucket: `gs://${output.bucket}`,
      member,
      role: 'projects/<project-id>/roles/winnowWriter',
      condition: { title: 'winnow-output-folder', expression: objectsUnder(output.bucket, folder) },
    });
  }
  const roles = [{ id: 'winnowReader', permissions: readerPermissions }, ...(writes ? [{ id: 'winnowWriter', permissions: writerPermissions }] : [])];
  return {
    store: 'gcs',
    summary: `A service account with ${readerPermissions.join(' and ')} under ${formatLocation(input)}${writes ? `, and ${writerPermissions.join(' and ')} under ${formatLocation(output)}.winnow/` : ''}, each limited by an IAM condition; Winnow signs with an HMAC key of that service account.`,
    lights: { list: true, read, write: writes, overwrite: writes, delete: writes },
    roles,
    bindings,
    commands: [
      ...roles.map((role) => `gcloud iam roles create ${role.id} --project=<project-id> --permissions=${role.permissions.join(',')}`),
      ...bindings.map(
        (binding) =>
          `gcloud storage buckets add-iam-policy-binding ${binding.bucket} --member=${member} --role=${binding.role} --condition-from-file=${binding.condition.title}.yaml`,
      ),
      'gcloud storage hmac create <name>@<project-id>.iam.gserviceaccount.com',
    ],
    notes: [
      "Each --condition-from-file holds the binding's condition (title, expression) as YAML.",
      'IAM conditions on buckets need uniform bucket-level access.',
      "Listing is checked on the bucket, so the reader's condition allows it only for list requests whose prefix is inside the folder (the objectListPrefix attribute).",
      ...(request.write && !request.delete
        ? ['storage.objects.delete is included with --write: GCS needs it to replace an object, and Winnow rewrites its own files under .winnow/.']
        : []),
      'Predefined roles grant more: roles/storage.objectViewer (read) and roles/storage.objectUser (write) also work, with the same conditions.',
      "Not tested against Google Cloud: Winnow's GCS support is tested with s3rver standing in for the XML API.",
    ],
  };
}

/** For presets whose keys are not scoped by an AWS-style policy (R2 tokens, B2 application keys). */
export function keyScopeRecipe(preset: 'r2' | 'b2', request: RecipeRequest): StorageRecipe {
  const input = requireKind(request.input, 's3', 'input');
  const output = requireKind(request.output ?? request.input, 's3', 'output');
  const read = request.read !== false;
  const lights = { list: true, read, write: request.write, overwrite: request.write, delete: request.delete };
  if (preset === 'r2') {
    const buckets = [...new Set([input.bucket, ...(request.write || request.delete ? [output.bucket] : [])])];
    return {
      store: 'r2',
      summary: `An R2 API token with "Object Read only" on ${input.bucket}${request.write || request.delete ? ` and "Object Read & Write" on ${output.bucket}` : ''}, limited to ${buckets.length === 1 ? 'that bucket' : 'those buckets'}.`,
      lights: { ...lights, read: true },
      token: { permissions: request.write || request.delete ? 'Object Read & Write' : 'Object Read only', buckets },
      notes: [...S3_PRESETS.r2.quirks, ...(read ? [] : ['R2 tokens cannot list without reading: a list-only token does not exist.'])],
    };
  }
  const prefixes = [...new Set([input.prefix, ...(request.write || request.delete ? [winnowPrefix(output)] : [])])];
  const capabilities = ['listFiles', ...(read ? ['readFiles'] : []), ...(request.write ? ['writeFiles'] : []), ...(request.delete ? ['deleteFiles'] : [])];
  return {
    store: 'b2',
    summary: `A B2 application key restricted to bucket ${input.bucket} and file-name prefix "${input.prefix}" with ${capabilities.join(', ')}.`,
    lights,
    applicationKey: { bucket: input.bucket, namePrefix: input.prefix, capabilities },
    command: `b2 key create --bucket ${input.bucket} --name-prefix '${input.prefix}' winnow-dataset ${capabilities.join(',')}`,
    notes: [
      ...(prefixes.length > 1 || input.bucket !== output.bucket
        ? [
            `A key has one bucket and one name prefix: with the output at ${formatLocation(output)}, give the output its own key (--output-access-key-id) restricted to "${winnowPrefix(output)}".`,
          ]
        : []),
      ...S3_PRESETS.b2.quirks,
    ],
  };
}

function requireKind<K extends 'azure' | 'gcs' | 's3'>(location: Location, kind: K, role: 'input' | 'output'): Extract<Location, { kind: K }> {
  if (location.kind === kind) return location as Extract<Location, { kind: K }>;
  const scheme = { azure: 'azure://account/container/folder/', gcs: 'gs://bucket/folder/', s3: 's3://bucket/folder/' }[kind];
  throw new AppError(
    'LocationInvalid',
    `The ${role} ${formatLocation(location)} is not in the same kind of store as the input (${scheme}); one recipe covers one kind of store.`,
    {
      hint: `Give the ${role} as ${scheme}.`,
    },
  );
}

function mergeLetters(letters: string): string {
  return [...'racwdl'].filter((letter) => letters.includes(letter)).join('');
}
