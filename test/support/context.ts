import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/config.js';
import type { Context } from '../../src/context.js';
import { cliAccessRules } from '../../src/datasources/access-rules.js';
import type { Dialect } from '../../src/db/dialect.js';
import { createLogger } from '../../src/log/logger.js';
import { createSharpImageProcessor } from '../../src/media/sharp.image-processor.js';
import { createSecretBox } from '../../src/secrets/secret-box.js';
import { createTestDatabase } from './databases.js';
import { openJobQueue, type WinnowJobQueue } from '../../src/jobs/winnow-jobs.js';

/** A service context over a fresh catalog of the given dialect, as an entry point would build it. */
export async function createTestContext(dialect: Dialect, settings: Record<string, string> = {}): Promise<Context & { drop(): Promise<void> }> {
  const test = await createTestDatabase(dialect);
  const config = loadConfig({}, { ...test.env, ...settings });
  const log = createLogger('silent');
  const clock = () => new Date();
  let queue: Promise<WinnowJobQueue> | undefined;
  return {
    config,
    database: test.database,
    secretBox: createSecretBox(randomBytes(32)),
    log,
    access: cliAccessRules(config),
    clock,
    images: createSharpImageProcessor(),
    jobs: () => (queue ??= openJobQueue({ config, database: test.database, log, clock })),
    close: async () => undefined,
    drop: async () => {
      await (await queue?.catch(() => undefined))?.stop();
      await test.drop();
    },
  };
}
