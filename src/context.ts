import type { Config } from './config/config.js';
import { cliAccessRules, type AccessRules } from './datasources/access-rules.js';
import { openDatabase, type Database } from './db/database.js';
import { createLogger, type Logger } from './log/logger.js';
import type { ImageProcessor } from './media/image-processor.js';
import { createSharpImageProcessor } from './media/sharp.image-processor.js';
import { createSecretBox, loadMasterKey, type SecretBox } from './secrets/secret-box.js';

/** Everything a service may need, built once per process by an entry point. */
export interface Context {
  config: Config;
  database: Database;
  secretBox: SecretBox;
  log: Logger;
  /** What datasets may point at: the CLI's rules, or the API's inside `winnow serve`. */
  access: AccessRules;
  clock: () => Date;
  /** Decodes images and makes thumbnails (sharp, loaded on first use). */
  images: ImageProcessor;
  close(): Promise<void>;
}

export async function createContext(config: Config): Promise<Context> {
  const log = createLogger(config.logLevel);
  const secretBox = createSecretBox(loadMasterKey(config.home, config.masterKey));
  const database = await openDatabase(config);
  log.debug({ catalog: database.location }, 'catalog opened');
  return { config, database, secretBox, log, access: cliAccessRules(config), clock: () => new Date(), images: createSharpImageProcessor(), close: () => database.close() };
}
