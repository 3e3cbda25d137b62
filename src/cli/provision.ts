import type { Logger } from "pino";
import { ensureCredentials, type Provisioned } from "../config/credentials.js";
import type { Config } from "../config/schema.js";
import { sqlitePathOf } from "../storage/open.js";
import { tightenDatabaseFiles } from "../storage/sqlite/data-files.js";

/**
 * Readies a config to start on: the credentials it lacks generated and kept (see
 * ensureCredentials), and the data files others could read made private, with a warning for each.
 */
export function provisionConfig(config: Config, file: string | null, logger: Logger): Provisioned {
  const provisioned = ensureCredentials(config, file);
  const sqlite = sqlitePathOf(provisioned.config.database.url);
  for (const loose of [...provisioned.tightened, ...(sqlite ? tightenDatabaseFiles(sqlite) : [])]) {
    logger.warn(
      { file: loose.file, mode: loose.mode, now: loose.now },
      "a data file was open to other users: made it private",
    );
  }
  return provisioned;
}
