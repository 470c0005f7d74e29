import { useId, type FormEvent, type ReactNode } from 'react';
import type { CreateDatasetRequest, Dataset, EditDatasetRequest } from '../api.js';
import { needsAccountId, S3_PRESETS, type PresetId } from '../../model/s3-presets.js';

/** Presets the user picks for s3:// locations (gs:// always uses gcs). */
const S3_PRESET_CHOICES = (Object.keys(S3_PRESETS) as PresetId[]).filter((id) => id !== 'gcs');

/** Everything the create form holds, as typed; secrets stay in memory only until saved. */
export interface DatasetFormValues {
  name: string;
  uri: string;
  region: string;
  endpoint: string;
  pathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  useRole: boolean;
  roleArn: string;
  externalId: string;
  sseKmsKeyId: string;
  /** '' for plain AWS S3. */
  preset: PresetId | '';
  accountId: string;
  /** Azure: a SAS token, or else the account key. */
  sasToken: string;
  accountKey: string;
  separateOutput: boolean;
  outputUri: string;
  include: string;
  exclude: string;
  thumbnails: boolean;
  thumbnailSize: string;
}

export const EMPTY_DATASET_FORM: DatasetFormValues = {
  name: '',
  uri: '',
  region: '',
  endpoint: '',
  pathStyle: false,
  accessKeyId: '',
  secretAccessKey: '',
  sessionToken: '',
  useRole: false,
  roleArn: '',
  externalId: '',
  sseKmsKeyId: '',
  preset: '',
  accountId: '',
  sasToken: '',
  accountKey: '',
  separateOutput: false,
  outputUri: '',
  include: '',
  exclude: '',
  thumbnails: false,
  thumbnailSize: '400',
};

/** Which kind of store a resource path names, as far as the form's fields go. */
function storeOf(uri: string): 's3' | 'gcs' | 'azure' | 'local' {
  const trimmed = uri.trim();
  if (trimmed.startsWith('s3://')) return 's3';
  if (trimmed.startsWith('gs://')) return 'gcs';
  if (trimmed.startsWith('azure://')) return 'azure';
  return 'local';
}

/** The API request for the form: blanks left out, globs one per line. */
export function toCreateRequest(values: DatasetFormValues): CreateDatasetRequest {
  const text = (value: string) => (value.trim() === '' ? undefined : value.trim());
  const lines = (value: string) =>
    value
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
  // Secrets are sent exactly as typed: whitespace inside them is not ours to trim.
  const secret = (value: string) => (value === '' ? undefined : value);
  const store = storeOf(values.uri);
  const preset = store === 's3' && values.preset !== '' ? values.preset : undefined;
  const keys = {
    accessKeyId: text(values.accessKeyId),
    secretAccessKey: secret(values.secretAccessKey),
  };
  const connection = {
    s3: {
      region: preset !== undefined && 'fixed' in S3_PRESETS[preset].region ? undefined : text(values.region),
      endpoint: text(values.endpoint),
      pathStyle: values.pathStyle || undefined,
      ...keys,
      sessionToken: secret(values.sessionToken),
      roleArn: values.useRole ? text(values.roleArn) : undefined,
      externalId: values.useRole ? text(values.externalId) : undefined,
      sseKmsKeyId: preset === undefined || S3_PRESETS[preset].sseKms ? text(values.sseKmsKeyId) : undefined,
      preset,
      accountId: preset !== undefined && needsAccountId(S3_PRESETS[preset]) ? text(values.accountId) : undefined,
    },
    gcs: { endpoint: text(values.endpoint), ...keys },
    azure: { endpoint: text(values.endpoint), sasToken: secret(values.sasToken), accountKey: values.sasToken === '' ? secret(values.accountKey) : undefined },
    local: {},
  }[store];
  const input = { uri: values.uri.trim(), ...connection };
  return {
    name: values.name.trim(),
    input,
    output: values.separateOutput && text(values.outputUri) !== undefined ? { uri: values.outputUri.trim() } : undefined,
    include: lines(values.include),
    exclude: lines(values.exclude),
    thumbnails: values.thumbnails ? { size: Number(values.thumbnailSize) } : undefined,
  };
}

/** The form filled in from a saved dataset; secrets stay blank (the API never returns them). */
export function datasetFormValues(dataset: Dataset): DatasetFormValues {
  const { input, output } = dataset;
  const preset = input.kind === 's3' && input.preset !== null && input.preset in S3_PRESETS ? (input.preset as PresetId) : '';
  return {
    ...EMPTY_DATASET_FORM,
    name: dataset.name,
    uri: input.uri,
    region: input.region ?? '',
    endpoint: input.endpoint ?? '',
    pathStyle: input.pathStyle,
    accessKeyId: input.accessKeyId ?? '',
    useRole: input.roleArn !== null,
    roleArn: input.roleArn ?? '',
    externalId: input.externalId ?? '',
    sseKmsKeyId: input.sseKmsKeyId ?? '',
    preset,
    separateOutput: output.uri !== input.uri,
    outputUri: output.uri === input.uri ? '' : output.uri,
    include: dataset.include.join('\n'),
    exclude: dataset.exclude.join('\n'),
    thumbnails: dataset.thumbnailSize !== null,
    thumbnailSize: String(dataset.thumbnailSize ?? EMPTY_DATASET_FORM.thumbnailSize),
  };
}

/**
 * The PATCH for an edited form: the input's settings as shown (a blank clears one), secrets only
 * when typed (blank keeps the stored ones), the output only when it moved or was cleared.
 */
export function toEditRequest(values: DatasetFormValues, saved: Dataset): EditDatasetRequest {
  const { input, ...rest } = toCreateRequest(values);
  const shown = { ...input } as Record<string, unknown>;
  delete shown.uri;
  const patch: Record<string, unknown> = {};
  for (const field of ['region', 'endpoint', 'pathStyle', 'accessKeyId', 'roleArn', 'externalId', 'sseKmsKeyId', 'preset', 'accountId'] as const)
    if (field in shown) patch[field] = shown[field] ?? null;
  for (const field of ['secretAccessKey', 'sessionToken', 'sasToken', 'accountKey'] as const) if (shown[field] !== undefined) patch[field] = shown[field];
  const savedOutput = saved.output.uri === saved.input.uri ? undefined : saved.output.uri;
  const output = rest.output?.uri === savedOutput ? undefined : rest.output === undefined ? null : { uri: rest.output.uri };
  return {
    name: rest.name,
    input: patch,
    ...(output === undefined ? {} : { output }),
    include: rest.include ?? [],
    exclude: rest.exclude ?? [],
    thumbnails: rest.thumbnails ?? null,
  };
}

interface DatasetFormProps {
  values: DatasetFormValues;
  onChange: (values: DatasetFormValues) => void;
  onSubmit: () => void;
  busy: boolean;
  error?: ReactNode;
  /** Editing a saved dataset: its folder is fixed, and secrets left blank keep the stored ones. */
  editing?: boolean;
}

export function DatasetForm({ values, onChange, onSubmit, busy, error, editing = false }: DatasetFormProps) {
  const set =
    <K extends keyof DatasetFormValues>(key: K) =>
    (value: DatasetFormValues[K]) =>
      onChange({ ...values, [key]: value });
  const store = storeOf(values.uri);
  const isS3 = store === 's3';
  const preset = isS3 && values.preset !== '' ? S3_PRESETS[values.preset] : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form className="dataset-form" onSubmit={submit} aria-busy={busy}>
      <fieldset>
        <legend>Dataset</legend>
        <TextField
          label="Name"
          value={values.name}
          onChange={set('name')}
          required
          pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,127}"
          help="Letters, digits, “.”, “_” or “-”."
        />
        <TextField
          label="Resource path"
          value={values.uri}
          onChange={set('uri')}
          required
          readOnly={editing}
          placeholder="s3://datalake/projects/farm-animals/"
          help={
            editing
              ? 'A dataset stays with its folder: its samples, tags and vectors belong to it. For another folder, create a new dataset.'
              : 's3://bucket/folder/, gs://bucket/folder/, azure://account/container/folder/ or a folder on this machine. Winnow indexes every image under it and never copies or changes them.'
          }
        />
      </fieldset>

      {store === 'gcs' && (
        <fieldset>
          <legend>Google Cloud Storage (HMAC key)</legend>
          <TextField
            label="Access key ID"
            value={values.accessKeyId}
            onChange={set('accessKeyId')}
            required
            autoComplete="off"
            placeholder="GOOG1E…"
            help="The HMAC key of a service account (Cloud Storage → Settings → Interoperability)."
          />
          <SecretField label="Secret" value={values.secretAccessKey} onChange={set('secretAccessKey')} required keepsStored={editing} />
        </fieldset>
      )}

      {store === 'azure' && (
        <fieldset>
          <legend>Azure Blob</legend>
          <SecretField
            label="SAS token"
            value={values.sasToken}
            onChange={set('sasToken')}
            autoComplete="off"
            placeholder="sv=…&sp=rl&sig=…"
            help="A container (or directory) SAS: l list, r read, c and w write, d delete. Stored encrypted; never shown again, never handed to browsers."
            keepsStored={editing}
          />
          <SecretField
            label="Account key"
            value={values.accountKey}
            onChange={set('accountKey')}
            help="Instead of a SAS token; it can do anything in the account."
            keepsStored={editing}
          />
          <TextField
            label="Endpoint"
            value={values.endpoint}
            onChange={set('endpoint')}
            placeholder="https://account.blob.core.windows.net"
            help="Only for private endpoints or an emulator."
          />
        </fieldset>
      )}

      {isS3 && (
        <>
          <fieldset>
            <legend>Credentials</legend>
            <TextField
              label="Access key ID"
              value={values.accessKeyId}
              onChange={set('accessKeyId')}
              autoComplete="off"
              help="Leave the keys blank to use the server's default AWS credentials."
            />
            <SecretField label="Secret access key" value={values.secretAccessKey} onChange={set('secretAccessKey')} keepsStored={editing} />
            <SecretField
              label="Session token"
              value={values.sessionToken}
              onChange={set('sessionToken')}
              autoComplete="off"
              help="Only for temporary credentials."
              keepsStored={editing}
            />
            <CheckboxField
              label="Use a role"
              checked={values.useRole}
              onChange={set('useRole')}
              help="Assume an IAM role (with an external ID) from these credentials."
            />
            {values.useRole && (
              <>
                <TextField
                  label="Role ARN"
                  value={values.roleArn}
                  onChange={set('roleArn')}
                  required
                  placeholder="arn:aws:iam::123456789012:role/winnow-reader"
                />
                <TextField label="External ID" value={values.externalId} onChange={set('externalId')} />
              </>
            )}
          </fieldset>

          <fieldset>
            <legend>Connection</legend>
            <SelectField
              label="Storage"
              value={values.preset}
              onChange={(value) => set('preset')(value as DatasetFormValues['preset'])}
              options={[{ value: '', label: 'Amazon S3' }, ...S3_PRESET_CHOICES.map((id) => ({ value: id, label: S3_PRESETS[id].label }))]}
              help={preset ? preset.quirks[0] : 'An S3-compatible store fills in its endpoint, addressing and region rules.'}
            />
            {preset && needsAccountId(preset) && (
              <TextField label="Account ID" value={values.accountId} onChange={set('accountId')} required={!editing} autoComplete="off" />
            )}
            {!(preset && 'fixed' in preset.region) && (
              <TextField
                label="Region"
                value={values.region}
                onChange={set('region')}
                placeholder={preset && !('fixed' in preset.region) ? preset.region.example : 'us-east-1'}
              />
            )}
            {(!preset || preset.sseKms) && (
              <TextField
                label="SSE-KMS key"
                value={values.sseKmsKeyId}
                onChange={set('sseKmsKeyId')}
                placeholder="arn:aws:kms:eu-west-1:123456789012:key/…"
                help="Every write Winnow makes is encrypted with this key."
              />
            )}
            <TextField
              label="Endpoint"
              value={values.endpoint}
              onChange={set('endpoint')}
              placeholder="https://minio.example.com"
              help="Only for S3-compatible stores (MinIO, Ceph, R2, Wasabi)."
            />
            <CheckboxField
              label="Path-style addressing"
              checked={values.pathStyle}
              onChange={set('pathStyle')}
              help="endpoint/bucket/key instead of bucket.endpoint/key; most S3-compatible stores need it."
            />
          </fieldset>
        </>
      )}

      <fieldset>
        <legend>Output and filters</legend>
        <CheckboxField
          wide
          label="Separate output location"
          checked={values.separateOutput}
          onChange={set('separateOutput')}
          help="Where Winnow writes thumbnails and probes, only under <output>/.winnow/. Default: the resource path."
        />
        {values.separateOutput && (
          <TextField wide label="Output location" value={values.outputUri} onChange={set('outputUri')} required placeholder="s3://datalake/winnow-output/" />
        )}
        <TextAreaField
          label="Include"
          value={values.include}
          onChange={set('include')}
          placeholder="cows/**"
          help="Globs relative to the resource path, one per line. Blank: every image."
        />
        <TextAreaField label="Exclude" value={values.exclude} onChange={set('exclude')} placeholder="**/drafts/**" help="One glob per line." />
        <CheckboxField
          label="Make thumbnails"
          checked={values.thumbnails}
          onChange={set('thumbnails')}
          help="After every sync, write a small JPEG of each image (WebP when it has transparency) under <output>/.winnow/thumbnails/; the grid then loads those instead of the full images."
        />
        {values.thumbnails && (
          <NumberField
            label="Thumbnail size"
            value={values.thumbnailSize}
            onChange={set('thumbnailSize')}
            min={16}
            max={4096}
            help="Longest side in pixels (16-4096)."
          />
        )}
      </fieldset>

      {error}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : editing ? 'Save changes' : 'Save and verify'}
        </button>
      </div>
    </form>
  );
}

interface FieldProps<T> {
  label: string;
  value: T;
  onChange: (value: T) => void;
  help?: string;
  /** Spans the whole row of the fieldset. */
  wide?: boolean;
}

function TextField({
  label,
  value,
  onChange,
  help,
  wide,
  type = 'text',
  ...rest
}: FieldProps<string> & { type?: 'text' | 'password'; required?: boolean; readOnly?: boolean; placeholder?: string; pattern?: string; autoComplete?: string }) {
  const id = useId();
  return (
    <div className={wide ? 'field wide' : 'field'}>
      <label htmlFor={id}>
        {label}
        {rest.required && (
          <span className="required" aria-hidden="true">
            {' '}
            *
          </span>
        )}
      </label>
      <input
        id={id}
        type={type}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        spellCheck={false}
        aria-describedby={help ? `${id}-help` : undefined}
        {...rest}
      />
      {help && (
        <p id={`${id}-help`} className="help">
          {help}
        </p>
      )}
    </div>
  );
}

/**
 * A secret: typed, sent once, stored encrypted and never shown again. When the dataset already has
 * one, a blank field keeps it, so it is never required there.
 */
function SecretField({
  help = 'Stored encrypted; never shown again.',
  autoComplete = 'new-password',
  keepsStored,
  required,
  ...props
}: FieldProps<string> & { required?: boolean; placeholder?: string; autoComplete?: string; keepsStored: boolean }) {
  return (
    <TextField
      type="password"
      autoComplete={autoComplete}
      required={required === true && !keepsStored}
      help={keepsStored ? `${help} Leave blank to keep the stored one.` : help}
      {...props}
    />
  );
}

function SelectField({ label, value, onChange, help, options }: FieldProps<string> & { options: ReadonlyArray<{ value: string; label: string }> }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)} aria-describedby={help ? `${id}-help` : undefined}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {help && (
        <p id={`${id}-help`} className="help">
          {help}
        </p>
      )}
    </div>
  );
}

function NumberField({ label, value, onChange, help, min, max }: FieldProps<string> & { min: number; max: number }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        required
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-describedby={help ? `${id}-help` : undefined}
      />
      {help && (
        <p id={`${id}-help`} className="help">
          {help}
        </p>
      )}
    </div>
  );
}

function TextAreaField({ label, value, onChange, help, placeholder }: FieldProps<string> & { placeholder?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={2}
        value={value}
        placeholder={placeholder}
        spellCheck={false}
        onChange={(event) => onChange(event.target.value)}
        aria-describedby={help ? `${id}-help` : undefined}
      />
      {help && (
        <p id={`${id}-help`} className="help">
          {help}
        </p>
      )}
    </div>
  );
}

function CheckboxField({
  label,
  checked,
  onChange,
  help,
  wide,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  help?: string;
  wide?: boolean;
}) {
  const id = useId();
  return (
    <div className={wide ? 'field checkbox wide' : 'field checkbox'}>
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
        aria-describedby={help ? `${id}-help` : undefined}
      />
      <label htmlFor={id}>{label}</label>
      {help && (
        <p id={`${id}-help`} className="help">
          {help}
        </p>
      )}
    </div>
  );
}
