import type { Config } from './config/config.js';
import { cliAccessRules } from './datasources/access-rules.js';
import { openDatabase } from './db/database.js';
import { createLogger } from './log/logger.js';
import { createSharpImageProcessor } from './media/sharp.image-processor.js';
import { createSecretBox, loadMasterKey } from './secrets/secret-box.js';
import type { WorkflowDeps } from './workflows/workflow-deps.js';

/** Everything a workflow or service may need, built once per process by an entry point. */
export interface Context extends WorkflowDeps {
  close(): Promise<void>;
}

/** The composition root: wires config, catalog, secrets, log and adapters by hand, with the CLI's access rules. */
export async function createContext(config: Config): Promise<Context> {
  const log = createLogger(config.logLevel);
  const secretBox = createSecretBox(loadMasterKey(config.home, { key: config.masterKey, file: config.masterKeyFile }));
  const database = await openDatabase(config);
  log.debug({ catalog: database.location }, 'catalog opened');
  return {
    config,
    database,
    secretBox,
    log,
    access: cliAccessRules(config),
    clock: () => new Date(),
    images: createSharpImageProcessor(),
    close: () => database.close(),
  };
}
