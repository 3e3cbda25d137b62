import type { Hono } from "hono";
import { composeApp } from "../../src/app.js";
import { validateConfig } from "../../src/config/load.js";
import type { Clock } from "../../src/core/clock.js";
import { systemClock } from "../../src/core/clock.js";
import type { ApiDeps, ApiEnv } from "../../src/http/api-env.js";
import { createApiApp } from "../../src/http/app.js";
import { createLogger } from "../../src/log.js";
import {
  ADMIN_TOKEN,
  dropSchema,
  ENCRYPTION_KEY,
  schemaFor,
  TEST_POSTGRES_URL,
  TEST_STORE,
  tempDir,
} from "./app.js";
import { openApiCheck } from "./openapi-check.js";

/** The API app on a real store (a temp SQLite file, or a PostgreSQL schema), called without a socket. */
export interface ApiTestApp {
  app: Hono<ApiEnv>;
  deps: ApiDeps;
  /** Calls the app with the admin token. */
  call(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Builds the API app as `startApp` does (`composeApp`), minus ingest, the listening socket and the running worker. */
export async function apiTestApp(
  overrides: Record<string, unknown> = {},
  { clock = systemClock, serveApi = true }: { clock?: Clock; serveApi?: boolean } = {},
): Promise<ApiTestApp> {
  const temp = tempDir();
  const schema = schemaFor(temp.dir);
  const url =
    TEST_STORE === "postgres" ? `${TEST_POSTGRES_URL}?schema=${schema}` : `sqlite:${temp.dir}/switchyard.db`;
  const config = validateConfig({
    database: { url },
    adminToken: ADMIN_TOKEN,
    encryptionKey: ENCRYPTION_KEY,
    log: { level: "silent" },
    sources: [{ slug: "vercel", kind: "vercel", secrets: ["s"] }],
    ...overrides,
  });
  const composed = await composeApp(config, createLogger("silent"), clock);
  const { ingestor: _, ...deps } = composed.context;
  const app = createApiApp(deps, serveApi);
  return {
    app,
    deps,
    // Every JSON answer is checked against the API's OpenAPI document, as `api()` does.
    async call(path, init = {}) {
      const response = await app.request(path, {
        ...init,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.headers as Record<string, string>) },
      });
      if (response.headers.get("content-type")?.startsWith("application/json")) {
        const check = await openApiCheck(app, async () => app.request("/api/v1/openapi.json"));
        check?.check(init.method ?? "GET", path, response.status, await response.clone().json());
      } else if (path.startsWith("/api/") && response.status !== 204 && response.status !== 200) {
        throw new Error(`${path} answered ${response.status} without JSON`);
      }
      return response;
    },
    async close() {
      await composed.close();
      if (TEST_STORE === "postgres") await dropSchema(schema);
      temp.cleanup();
    },
  };
}
