import { useId, type FormEvent, type ReactNode } from 'react';
import type { CreateDatasetRequest } from '../api.js';

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
  separateOutput: false,
  outputUri: '',
  include: '',
  exclude: '',
  thumbnails: false,
  thumbnailSize: '256',
};

/** The API request for the form: blanks left out, globs one per line. */
export function toCreateRequest(values: DatasetFormValues): CreateDatasetRequest {
  const text = (value: string) => (value.trim() === '' ? undefined : value.trim());
  const lines = (value: string) => value.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const isS3 = values.uri.trim().startsWith('s3://');
  const input = {
    uri: values.uri.trim(),
    ...(isS3
      ? {
          region: text(values.region),
          endpoint: text(values.endpoint),
          pathStyle: values.pathStyle || undefined,
          accessKeyId: text(values.accessKeyId),
          // Secrets are sent exactly as typed: whitespace inside them is not ours to trim.
          secretAccessKey: values.secretAccessKey === '' ? undefined : values.secretAccessKey,
          sessionToken: values.sessionToken === '' ? undefined : values.sessionToken,
          roleArn: values.useRole ? text(values.roleArn) : undefined,
          externalId: values.useRole ? text(values.externalId) : undefined,
          sseKmsKeyId: text(values.sseKmsKeyId),
        }
      : {}),
  };
  return {
    name: values.name.trim(),
    input,
    output: values.separateOutput && text(values.outputUri) !== undefined ? { uri: values.outputUri.trim() } : undefined,
    include: lines(values.include),
    exclude: lines(values.exclude),
    thumbnails: values.thumbnails ? { size: Number(values.thumbnailSize) } : undefined,
  };
}

interface DatasetFormProps {
  values: DatasetFormValues;
  onChange: (values: DatasetFormValues) => void;
  onSubmit: () => void;
  busy: boolean;
  error?: ReactNode;
}

export function DatasetForm({ values, onChange, onSubmit, busy, error }: DatasetFormProps) {
  const set = <K extends keyof DatasetFormValues>(key: K) => (value: DatasetFormValues[K]) => onChange({ ...values, [key]: value });
  const isS3 = values.uri.trim().startsWith('s3://');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form className="dataset-form" onSubmit={submit} aria-busy={busy}>
      <fieldset>
        <legend>Dataset</legend>
        <TextField label="Name" value={values.name} onChange={set('name')} required pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,127}" help="Letters, digits, “.”, “_” or “-”." />
        <TextField
          label="Resource path"
          value={values.uri}
          onChange={set('uri')}
          required
          placeholder="s3://datalake/projects/farm-animals/"
          help="s3://bucket/folder/ or a folder on this machine. Winnow indexes every image under it and never copies or changes them."
        />
      </fieldset>

      {isS3 && (
        <>
          <fieldset>
            <legend>Credentials</legend>
            <TextField label="Access key ID" value={values.accessKeyId} onChange={set('accessKeyId')} autoComplete="off" help="Leave the keys blank to use the server's default AWS credentials." />
            <TextField label="Secret access key" type="password" value={values.secretAccessKey} onChange={set('secretAccessKey')} autoComplete="new-password" help="Stored encrypted; never shown again." />
            <TextField label="Session token" type="password" value={values.sessionToken} onChange={set('sessionToken')} autoComplete="off" help="Only for temporary credentials." />
            <CheckboxField label="Use a role" checked={values.useRole} onChange={set('useRole')} help="Assume an IAM role (with an external ID) from these credentials." />
            {values.useRole && (
              <>
                <TextField label="Role ARN" value={values.roleArn} onChange={set('roleArn')} required placeholder="arn:aws:iam::123456789012:role/winnow-reader" />
                <TextField label="External ID" value={values.externalId} onChange={set('externalId')} />
              </>
            )}
          </fieldset>

          <fieldset>
            <legend>Connection</legend>
            <TextField label="Region" value={values.region} onChange={set('region')} placeholder="us-east-1" />
            <TextField label="SSE-KMS key" value={values.sseKmsKeyId} onChange={set('sseKmsKeyId')} placeholder="arn:aws:kms:eu-west-1:123456789012:key/…" help="Every write Winnow makes is encrypted with this key." />
            <TextField label="Endpoint" value={values.endpoint} onChange={set('endpoint')} placeholder="https://minio.example.com" help="Only for S3-compatible stores (MinIO, Ceph, R2, Wasabi)." />
            <CheckboxField label="Path-style addressing" checked={values.pathStyle} onChange={set('pathStyle')} help="endpoint/bucket/key instead of bucket.endpoint/key; most S3-compatible stores need it." />
          </fieldset>
        </>
      )}

      <fieldset>
        <legend>Output and filters</legend>
        <CheckboxField wide label="Separate output location" checked={values.separateOutput} onChange={set('separateOutput')} help="Where Winnow writes thumbnails and probes, only under <output>/.winnow/. Default: the resource path." />
        {values.separateOutput && <TextField wide label="Output location" value={values.outputUri} onChange={set('outputUri')} required placeholder="s3://datalake/winnow-output/" />}
        <TextAreaField label="Include" value={values.include} onChange={set('include')} placeholder="cows/**" help="Globs relative to the resource path, one per line. Blank: every image." />
        <TextAreaField label="Exclude" value={values.exclude} onChange={set('exclude')} placeholder="**/drafts/**" help="One glob per line." />
        <CheckboxField label="Make thumbnails" checked={values.thumbnails} onChange={set('thumbnails')} help="After every sync, write a small WebP of each image under <output>/.winnow/thumbnails/; the grid then loads those instead of the full images." />
        {values.thumbnails && <NumberField label="Thumbnail size" value={values.thumbnailSize} onChange={set('thumbnailSize')} min={16} max={4096} help="Longest side in pixels (16-4096)." />}
      </fieldset>

      {error}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save and verify'}
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

function TextField({ label, value, onChange, help, wide, type = 'text', ...rest }: FieldProps<string> & { type?: 'text' | 'password'; required?: boolean; placeholder?: string; pattern?: string; autoComplete?: string }) {
  const id = useId();
  return (
    <div className={wide ? 'field wide' : 'field'}>
      <label htmlFor={id}>
        {label}
        {rest.required && <span className="required" aria-hidden="true"> *</span>}
      </label>
      <input id={id} type={type} value={value} onChange={(event) => onChange(event.target.value)} spellCheck={false} aria-describedby={help ? `${id}-help` : undefined} {...rest} />
      {help && <p id={`${id}-help`} className="help">{help}</p>}
    </div>
  );
}

function NumberField({ label, value, onChange, help, min, max }: FieldProps<string> & { min: number; max: number }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="number" inputMode="numeric" min={min} max={max} step={1} required value={value} onChange={(event) => onChange(event.target.value)} aria-describedby={help ? `${id}-help` : undefined} />
      {help && <p id={`${id}-help`} className="help">{help}</p>}
    </div>
  );
}

function TextAreaField({ label, value, onChange, help, placeholder }: FieldProps<string> & { placeholder?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={2} value={value} placeholder={placeholder} spellCheck={false} onChange={(event) => onChange(event.target.value)} aria-describedby={help ? `${id}-help` : undefined} />
      {help && <p id={`${id}-help`} className="help">{help}</p>}
    </div>
  );
}

function CheckboxField({ label, checked, onChange, help, wide }: { label: string; checked: boolean; onChange: (checked: boolean) => void; help?: string; wide?: boolean }) {
  const id = useId();
  return (
    <div className={wide ? 'field checkbox wide' : 'field checkbox'}>
      <input id={id} type="checkbox" checked={checked} onChange={(event) => onChange(event.target.checked)} aria-describedby={help ? `${id}-help` : undefined} />
      <label htmlFor={id}>{label}</label>
      {help && <p id={`${id}-help`} className="help">{help}</p>}
    </div>
  );
}
