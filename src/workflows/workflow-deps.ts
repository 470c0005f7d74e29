import type { Config } from '../config/config.js';
import type { AccessRules } from '../datasources/access-rules.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../log/logger.js';
import type { ImageProcessor } from '../media/image-processor.js';
import type { SecretBox } from '../secrets/secret-box.js';

/** Everything a workflow may use; each takes only the part it needs (`Pick<WorkflowDeps, …>`). */
export interface WorkflowDeps {
  config: Config;
  database: Database;
  secretBox: SecretBox;
  log: Logger;
  clock: () => Date;
  /** Decodes images and makes thumbnails. */
  images: ImageProcessor;
  /** What datasets may point at: the CLI's rules, or the API's inside `winnow serve`. */
  access: AccessRules;
}
