// Runs s3rver in its own process for test/support/s3-server.ts.
// Started with --openssl-legacy-provider: s3rver's ListObjectsV2 continuation
// tokens use DES, which Node 20's default OpenSSL provider refuses.
import { rmSync } from 'node:fs';
import process from 'node:process';
import S3rver from 's3rver';

const { directory, removeDirectoryOnExit, buckets, corsXml } = JSON.parse(process.argv[2]);

// The parent owns this process. Its IPC channel closes when it stops us, exits or
// crashes, so that is the signal to go; nothing is buffered, so exiting is safe.
// Cleaning up here (not only in the parent) also covers a parent that was killed.
function shutDown(code) {
  if (removeDirectoryOnExit) rmSync(directory, { recursive: true, force: true });
  process.exit(code);
}
process.on('disconnect', () => shutDown(0));
process.on('SIGTERM', () => shutDown(0));
process.on('SIGINT', () => shutDown(0));

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name, configs: corsXml ? [corsXml] : [] })),
});

try {
  const { port } = await server.run();
  if (!process.connected) shutDown(0);
  process.send({ type: 'ready', port });
} catch (error) {
  const message = String(error?.stack ?? error);
  if (process.connected) process.send({ type: 'failed', message }, () => shutDown(1));
  else shutDown(1);
}
