import { BUCKET, INPUT_PREFIX } from './bucket-layout.js';
import { assertSucceeded, runMeasured } from './measured-process.js';

export interface RcloneListing {
  keys: number;
  wallMs: number;
  peakRssKib: number;
  cpuMs: number;
}

/** The peer: rclone's recursive listing of the same prefix (ListObjectsV2 pages of 1,000, no delimiter). */
export async function listWithRclone(port: number): Promise<RcloneListing> {
  return listPathWithRclone(port, `${BUCKET}/${INPUT_PREFIX}`, ['--fast-list']);
}

/**
 * `rclone lsf -R --files-only` of `bucketPath` (`bucket/prefix/`) on an S3 endpoint at 127.0.0.1:`port`, with `flags`:
 * `--fast-list` lists in one stream without a delimiter; without it rclone walks folder by folder, `--checkers` at once.
 */
export async function listPathWithRclone(port: number, bucketPath: string, flags: readonly string[]): Promise<RcloneListing> {
  const remote = `:s3,provider=Other,endpoint='http://127.0.0.1:${port}',access_key_id=S3RVER,secret_access_key=S3RVER,force_path_style=true:${bucketPath}`;
  // rclone fails to start when AWS_CA_BUNDLE names a bundle it cannot read.
  const { AWS_CA_BUNDLE: _ignored, ...env } = process.env;
  const run = await runMeasured('rclone', ['lsf', '-R', '--files-only', ...flags, remote], { env, timeoutMs: 30 * 60_000 });
  assertSucceeded(run, 'rclone lsf');
  const keys = run.stdout.split('\n').filter((line) => line !== '').length;
  return { keys, wallMs: run.wallMs, peakRssKib: run.peakRssKib, cpuMs: run.cpuMs };
}
