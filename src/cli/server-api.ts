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

/** A server's API for one tenant: where it is, the token, and the tenant acted for. */
export interface ApiClient {
  base: string;
  token: string;
  tenant: string;
}

/** The client of the server the options name; a CliError naming the fix when there is no token. */
export function apiClient(options: {
  url?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
  tenant?: string | undefined;
}): ApiClient {
  const { base, token } = apiTarget(options);
  if (!token) throw new CliError("no admin token: pass --token or set SWITCHYARD_ADMIN_TOKEN");
  return { base, token, tenant: options.tenant ?? "default" };
}

/** `GET /api/v1<path>` with the query (empty values left out) and the tenant. */
export function apiGet(
  client: ApiClient,
  path: string,
  query: Record<string, string | undefined> = {},
): Promise<Response> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  if (client.tenant !== "default") params.set("tenant", client.tenant);
  const text = params.toString();
  return callServer(client.base, `${client.base}/api/v1${path}${text ? `?${text}` : ""}`, {
    headers: { authorization: `Bearer ${client.token}` },
  });
}

/** The JSON of an answer that must be 2xx; otherwise a CliError with the server's code and message (exit 1). */
export async function okJson<T>(response: Response, what: string): Promise<T> {
  const body = (await response.json().catch(() => ({}))) as T & { code?: string; message?: string };
  if (response.ok) return body;
  const fix = body.code === "unauthorized" ? ": pass the server's admin token with --token" : "";
  throw new CliError(
    `${what} refused (${response.status} ${body.code ?? "error"}: ${body.message ?? "no message"})${fix}`,
    EXIT.no,
  );
}
