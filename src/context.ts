import type { Config } from './config/config.js';
import { cliAccessRules } from './datasources/access-rules.js';
import { openDatabase } from './db/database.js';
import { createLogger } from './log/logger.js';
import { createSharpImageProcessor } from './media/sharp.image-processor.js';
import { createSecretBox, loadMasterKey } from './secrets/secret-box.js';
import type { WorkflowDeps } from './workflows/workflow-deps.js';
import { openJobQueue, type WinnowJobQueue } from './jobs/winnow-jobs.js';

/** Everything a workflow or service may need, built once per process by an entry point. */
export interface Context extends WorkflowDeps {
  /** The job queue (pg-boss on PostgreSQL, else the embedded default's), opened on first use. */
  jobs(): Promise<WinnowJobQueue>;
  close(): Promise<void>;
}

/** The composition root: wires config, catalog, secrets, log and adapters by hand, with the CLI's access rules. */
export async function createContext(config: Config): Promise<Context> {
  const log = createLogger(config.logLevel);
  const secretBox = createSecretBox(loadMasterKey(config.home, { key: config.masterKey, file: config.masterKeyFile }));
  const database = await openDatabase(config);
  log.debug({ catalog: database.location }, 'catalog opened');
  const clock = () => new Date();
  let queue: Promise<WinnowJobQueue> | undefined;
  return {
    config,
    database,
    secretBox,
    log,
    access: cliAccessRules(config),
    clock,
    images: createSharpImageProcessor(),
    jobs: () => (queue ??= openJobQueue({ config, database, log, clock })),
    close: async () => {
      // A queue that failed to open has nothing to stop; its error reached whoever asked for it.
      const opened = await queue?.catch(() => undefined);
      await opened?.stop();
      await database.close();
    },
  };
}
