import { randomBytes } from "node:crypto";
import { join } from "node:path";
import postgres from "postgres";
import type { NewDelivery } from "../../../src/core/delivery-types.js";
import { newDeliveryId, newEventId } from "../../../src/core/ids.js";
import type { IncomingEvent } from "../../../src/core/types.js";
import { openStore } from "../../../src/storage/open.js";
import type { DeliveryOutcome, Store } from "../../../src/storage/port.js";
import Database from "../../../src/storage/sqlite/driver.js";
import { TEST_POSTGRES_URL, TEST_STORE, tempDir } from "../../support/app.js";

/** A fresh, empty database for one test, on the backend the suite runs on. */
export interface FreshStore {
  store: Store;
  /** The database's URL (`sqlite:PATH`, or PostgreSQL's with `?schema=`), to look at it past the port. */
  url: string;
  /** Opens another handle on the same database (another node, or a restart). */
  again(): Promise<Store>;
  /** Attempt rows stored for a delivery, read past the port. */
  attemptRows(deliveryId: string): Promise<number>;
  /** Runs SQL on the database past the port (a trigger that makes a row fail for real). */
  exec(sql: { sqlite: string; postgres: string }): Promise<void>;
}

/** Fresh databases for the storage conformance suite: a SQLite file or a PostgreSQL schema each. */
export function storeHarness() {
  const temp = tempDir();
  const schemas: string[] = [];
  const opened: Store[] = [];
  const admin =
    TEST_STORE === "postgres" ? postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} }) : null;
  const track = async (s: Promise<Store>) => {
    const store = await s;
    opened.push(store);
    return store;
  };
  return {
    dialect: TEST_STORE,
    async fresh(): Promise<FreshStore> {
      const name = `sy_conf_${randomBytes(6).toString("hex")}`;
      let url: string;
      if (admin) {
        schemas.push(name);
        url = `${TEST_POSTGRES_URL}?schema=${name}`;
      } else {
        url = `sqlite:${join(temp.dir, `${name}.db`)}`;
      }
      return {
        store: await track(openStore(url)),
        url,
        again: () => track(openStore(url)),
        async exec(sql) {
          if (admin) {
            await admin.unsafe(`SET search_path TO "${name}"; ${sql.postgres}; RESET search_path`).simple();
            return;
          }
          const db = new Database(url.slice("sqlite:".length));
          try {
            db.pragma("busy_timeout = 5000");
            db.exec(sql.sqlite);
          } finally {
            db.close();
          }
        },
        async attemptRows(deliveryId) {
          if (admin) {
            const rows = await admin.unsafe(`SELECT 1 FROM "${name}".attempts WHERE delivery_id = $1`, [
              deliveryId,
            ]);
            return rows.length;
          }
          const db = new Database(url.slice("sqlite:".length), { readonly: true });
          try {
            return (
              db.prepare("SELECT count(*) AS n FROM attempts WHERE delivery_id = ?").get(deliveryId) as {
                n: number;
              }
            ).n;
          } finally {
            db.close();
          }
        },
      };
    },
    async cleanup(): Promise<void> {
      await Promise.all(opened.map((s) => s.close().catch(() => {})));
      if (admin) {
        for (const s of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
        await admin.end();
      }
      temp.cleanup();
    },
  };
}

export const T = 1_700_000_000_000;
export const DAY = 86_400_000;

/** A delivery to plan with an event. */
export function delivery(destination: string, at: number, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    id: newDeliveryId(at),
    destination,
    routes: ["r"],
    nextAttemptAt: at,
    deadlineAt: at + DAY,
    trigger: "initial",
    ...overrides,
  };
}

/** An event as ingest hands it to the store. */
export function event(at: number, overrides: Partial<IncomingEvent> = {}): IncomingEvent {
  return {
    id: newEventId(at),
    tenant: "default",
    source: "vercel",
    externalId: null,
    type: "deployment.created",
    originalType: "deployment.created",
    receivedAt: at,
    unknownType: false,
    schemaIssues: [],
    body: Buffer.from("{}"),
    deliveries: [],
    ...overrides,
  };
}

/** A successful outcome, unless overridden. */
export function outcome(deliveryId: string, overrides: Partial<DeliveryOutcome> = {}): DeliveryOutcome {
  return {
    deliveryId,
    attempt: null,
    status: "succeeded",
    nextAttemptAt: null,
    lastStatus: 200,
    lastError: null,
    destinationChange: null,
    alert: null,
    ...overrides,
  };
}

/** A claim request with no limits beyond `limit`. */
export function want(destination: string, limit: number, fifo = false, tenant = "default") {
  return { tenant, destination, limit, fifo, maxConcurrency: 1000, rate: null };
}

/** A destination of the default tenant, as the store keys it. */
export const key = (destination: string) => ({ tenant: "default", destination });

export function attemptAt(at: number, status = 200) {
  return {
    number: 1,
    trigger: "initial" as const,
    startedAt: at,
    durationMs: 1,
    status,
    error: null,
    errorMessage: null,
    responseHeaders: null,
    responseBody: null,
    responseBodyEncoding: null,
  };
}

export const ids = (list: readonly { id: string }[]) => list.map((x) => x.id);
