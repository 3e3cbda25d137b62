import { dataDirOf, readCredentials } from "../config/credentials.js";
import { loadConfig } from "../config/load.js";
import { CliError, EXIT } from "./exit-codes.js";

/**
 * Where a running server's API is and the admin token to call it with, from flags, env, config and
 * credentials. Given a URL and a token (flag or `SWITCHYARD_ADMIN_TOKEN`), the local config is not
 * read at all: it may be another project's, or reference variables this shell does not set.
 */
export function apiTarget(options: {
  url?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
}): {
  base: string;
  token: string | undefined;
} {
  const given = options.token ?? process.env.SWITCHYARD_ADMIN_TOKEN;
  if (options.url !== undefined && given !== undefined && options.config === undefined)
    return { base: options.url, token: given };
  const { config } = loadConfig({ config: options.config });
  const host =
    config.server.host === "0.0.0.0" || config.server.host === "::" ? "127.0.0.1" : config.server.host;
  return {
    base: options.url ?? `http://${host}:${config.server.port}`,
    token: given ?? config.adminToken ?? readCredentials(dataDirOf(config)).adminToken,
  };
}

/**
 * `fetch` to a Switchyard server, where a connection that cannot be made is a `CliError` naming the
 * server and the likely fix rather than undici's `fetch failed`.
 */
export async function callServer(base: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === "string" ? ` (${cause.code})` : "";
    throw new CliError(
      `server not reachable at ${base}${code}: is \`switchyard serve\` running there?`,
      EXIT.couldNotRun,
    );
  }
}
