import { BUCKET, INPUT_PREFIX } from './bucket-layout.js';
import { assertSucceeded, runMeasured } from './measured-process.js';

export interface RcloneListing {
  keys: number;
  wallMs: number;
  peakRssKib: number;
}

/** The peer: rclone's recursive listing of the same prefix (ListObjectsV2 pages of 1,000, no delimiter). */
export async function listWithRclone(port: number): Promise<RcloneListing> {
  const remote = `:s3,provider=Other,endpoint='http://127.0.0.1:${port}',access_key_id=S3RVER,secret_access_key=S3RVER,force_path_style=true:${BUCKET}/${INPUT_PREFIX}`;
  // rclone fails to start when AWS_CA_BUNDLE names a bundle it cannot read.
  const { AWS_CA_BUNDLE: _ignored, ...env } = process.env;
  const run = await runMeasured('rclone', ['lsf', '-R', '--fast-list', '--files-only', remote], { env, timeoutMs: 30 * 60_000 });
  assertSucceeded(run, 'rclone lsf');
  const keys = run.stdout.split('\n').filter((line) => line !== '').length;
  return { keys, wallMs: run.wallMs, peakRssKib: run.peakRssKib };
}
