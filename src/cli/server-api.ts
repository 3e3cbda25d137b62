import { dataDirOf, readCredentials } from "../config/credentials.js";
import { loadConfig } from "../config/load.js";

/** Where a running server's API is and the admin token to call it with, from flags, env, config and credentials. */
export function apiTarget(options: {
  url?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
}): {
  base: string;
  token: string | undefined;
} {
  const { config } = loadConfig({ config: options.config });
  const host =
    config.server.host === "0.0.0.0" || config.server.host === "::" ? "127.0.0.1" : config.server.host;
  return {
    base: options.url ?? `http://${host}:${config.server.port}`,
    token:
      options.token ??
      process.env.SWITCHYARD_ADMIN_TOKEN ??
      config.adminToken ??
      readCredentials(dataDirOf(config)).adminToken,
  };
}
