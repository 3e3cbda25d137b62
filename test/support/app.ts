import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { type AppOptions, type RunningApp, startApp } from "../../src/app.js";
import { validateConfig } from "../../src/config/load.js";
import type { Clock } from "../../src/core/clock.js";
import { createLogger } from "../../src/log.js";
import type { DeliveryOutcome } from "../../src/storage/port.js";
import { openApiCheck } from "./openapi-check.js";

export const ADMIN_TOKEN = "test-admin-token-0123456789";
/** The key that seals the secrets of run-time sources and destinations in tests (32 bytes, base64). */
export const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");
export const VERCEL_SECRETS = ["vercel-secret-current", "vercel-secret-previous"];

/** The PostgreSQL server the PostgreSQL leg of the suite runs on. */
export const TEST_POSTGRES_URL =
  process.env.SWITCHYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Which store the end-to-end tests run on: SQLite, or PostgreSQL with SWITCHYARD_TEST_STORE=postgres. */
export const TEST_STORE = process.env.SWITCHYARD_TEST_STORE === "postgres" ? "postgres" : "sqlite";

/** A temporary folder removed by `cleanup`. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-test-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestApp extends RunningApp {
  dir: string;
  dbPath: string;
  /** The PostgreSQL schema holding the app's tables (when the suite runs on PostgreSQL). */
  schema: string;
  stop(): Promise<void>;
  /** Reopens the app on the same database file. */
  restart(): Promise<TestApp>;
}

/** The PostgreSQL schema of the test app whose files are in `dir` (see `startTestApp`'s `dir`). */
export function schemaFor(dir: string): string {
  return `sy_e2e_${Buffer.from(dir).toString("hex").slice(-24)}`;
}

/** Starts Switchyard on a fresh SQLite file and a free loopback port. */
export async function startTestApp(
  overrides: Record<string, unknown> = {},
  options: { clock?: Clock; dir?: string; app?: AppOptions; logger?: Logger } = {},
): Promise<TestApp> {
  const temp = options.dir ? { dir: options.dir, cleanup: () => {} } : tempDir();
  const dbPath = join(temp.dir, "switchyard.db");
  // One schema per app on PostgreSQL; a restart (same dir) reuses it.
  const schema = schemaFor(temp.dir);
  const url = TEST_STORE === "postgres" ? `${TEST_POSTGRES_URL}?schema=${schema}` : `sqlite:${dbPath}`;
  let app: RunningApp;
  try {
    const config = validateConfig({
      server: { port: 0, host: "127.0.0.1" },
      database: { url },
      adminToken: ADMIN_TOKEN,
      encryptionKey: ENCRYPTION_KEY,
      log: { level: "silent" },
      sources: [{ slug: "vercel", kind: "vercel", secrets: VERCEL_SECRETS }],
      ...overrides,
    });
    app = await startApp(config, options.logger ?? createLogger("silent"), options.clock, options.app);
  } catch (error) {
    // A config the test expects to be refused leaves nothing behind.
    if (!options.dir) {
      if (TEST_STORE === "postgres") await dropSchema(schema).catch(() => {});
      temp.cleanup();
    }
    throw error;
  }
  return {
    ...app,
    dir: temp.dir,
    dbPath,
    schema,
    async stop() {
      await app.close();
      if (TEST_STORE === "postgres") await dropSchema(schema);
      temp.cleanup();
    },
    async restart() {
      await app.close();
      return startTestApp(overrides, { ...options, dir: temp.dir });
    },
  };
}

/**
 * Calls the management API with the admin token. Every answer is checked against the API's
 * OpenAPI document (the operation, its status, the body's schema): a test that calls the API
 * checks the document too.
 */
export async function api(app: { url: string }, path: string, init: RequestInit = {}) {
  const response = await fetch(`${app.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.headers as Record<string, string>) },
  });
  const body = (await response.json()) as Record<string, unknown> & { data?: unknown[] };
  const check = await openApiCheck(app.url, () => fetch(`${app.url}/api/v1/openapi.json`));
  check?.check(init.method ?? "GET", path, response.status, body);
  return { status: response.status, body };
}

/** Records every delivery outcome of an app, so a test can wait for one without missing any. */
export class OutcomeLog {
  readonly all: DeliveryOutcome[] = [];
  private seen = 0;
  /** How many outcomes had been recorded at each time the worker went idle. */
  private readonly idles: number[] = [];

  constructor(private readonly app: RunningApp) {
    app.worker.on("outcome", (o) => this.all.push(o));
    app.worker.on("idle", () => this.idles.push(this.all.length));
  }

  /** Resolves once the worker has gone idle with at least `count` outcomes recorded. */
  async idleAfter(count: number): Promise<void> {
    while (!this.idles.some((n) => n >= count)) await once(this.app.worker, "idle");
  }

  /** The next outcome not yet returned that satisfies `predicate` (earlier non-matching ones are skipped). */
  async next(predicate: (o: DeliveryOutcome) => boolean = () => true): Promise<DeliveryOutcome> {
    for (;;) {
      while (this.seen < this.all.length) {
        const o = this.all[this.seen++] as DeliveryOutcome;
        if (predicate(o)) return o;
      }
      await once(this.app.worker, "outcome");
    }
  }
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await sql.end({ timeout: 1 });
  }
}
