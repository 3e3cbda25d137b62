// The data `bench/console.js` reads: a store's events, deliveries, attempts and destination states
// as months of real traffic would leave them, written straight into the database in batches (one
// transaction each, rows exactly as the migrations define them) far faster than ingest could.
//
// The mix: 2 tenants (90 % of events in `default`), 3 sources, a dozen catalog types (one of them
// rare), 2 KB bodies rendered from the catalog's samples, spread evenly over the 3 days before
// `now`. Each event has one delivery (a fifth a second one, to `archive`): those of the last 10
// minutes pending, ~1 % retrying, ~5 % dead after 5 attempts, the rest succeeded (a tenth of them
// on their second attempt).
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import { monotonicFactory } from "ulidx";
import { sampleEvent } from "../dist/vercel/index.js";

export const TENANTS = { big: "default", small: "team-small" };
export const SOURCES = ["vercel", "vercel-preview", "marketplace"];
export const DESTINATIONS = ["ops-hook", "slack", "archive"];
/** The rare type: ~1 in 1,000 events. */
export const RARE_TYPE = "integration-configuration.removed";
export const SPAN_MS = 3 * 86_400_000;
const PENDING_MS = 10 * 60_000;
const BODY_BYTES = 2048;
const BATCH = 5000;

/** Types and their weights. */
const TYPES = /** @type {const} */ ([
  ["deployment.created", 25],
  ["deployment.succeeded", 20],
  ["deployment.ready", 20],
  ["deployment.promoted", 8],
  ["deployment.checks.succeeded", 10],
  ["deployment.error", 5],
  ["deployment.canceled", 4],
  ["project.created", 2],
  ["domain.created", 2],
  ["project.domain-verified", 3.9],
  [RARE_TYPE, 0.1],
]);

/** A small, seeded generator: the same seed gives the same store. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each type's sample as a 2 KB body around its id, padded with filler that does not compress. */
function templates() {
  const PLACEHOLDER = "@@ID@@";
  /** @type {Map<string, { prefix: string, suffix: string }>} */
  const out = new Map();
  for (const [type] of TYPES) {
    const event = /** @type {Record<string, unknown>} */ (sampleEvent(type, { id: PLACEHOLDER }));
    const filler = randomBytes(BODY_BYTES).toString("base64url");
    let text = JSON.stringify(event);
    event.meta = { note: filler.slice(0, Math.max(0, BODY_BYTES - text.length - 20)) };
    text = JSON.stringify(event);
    const at = text.indexOf(PLACEHOLDER);
    out.set(type, { prefix: text.slice(0, at), suffix: text.slice(at + PLACEHOLDER.length) });
  }
  return out;
}

/**
 * The rows of `n` events, in batches, oldest first.
 * @param {number} n
 * @param {number} now
 */
export function* batches(n, now) {
  const rand = random(0x5eed);
  const ulid = monotonicFactory(rand);
  const bodies = templates();
  const totalWeight = TYPES.reduce((s, [, w]) => s + w, 0);
  const pickType = () => {
    let r = rand() * totalWeight;
    for (const [type, w] of TYPES) {
      r -= w;
      if (r < 0) return type;
    }
    return TYPES[0][0];
  };
  const start = now - SPAN_MS;
  for (let from = 0; from < n; from += BATCH) {
    /** @type {any[]} */ const events = [];
    /** @type {any[]} */ const deliveries = [];
    /** @type {any[]} */ const attempts = [];
    for (let i = from; i < Math.min(n, from + BATCH); i++) {
      const t = start + Math.floor((i * SPAN_MS) / n);
      const tenant = rand() < 0.9 ? TENANTS.big : TENANTS.small;
      const r = rand();
      const source = r < 0.8 ? SOURCES[0] : r < 0.95 ? SOURCES[1] : SOURCES[2];
      const type = pickType();
      const key = ulid(t);
      const id = `evt_${key}`;
      const externalId = key.toLowerCase();
      const body = bodies.get(type);
      events.push({
        id,
        tenant,
        source,
        externalId,
        type,
        receivedAt: t,
        body: `${body?.prefix}${externalId}${body?.suffix}`,
      });
      const targets = [DESTINATIONS[Math.floor(rand() * 2)]];
      if (rand() < 0.2) targets.push(DESTINATIONS[2]);
      for (const destination of targets) {
        const d = delivery(rand, ulid, { t, now, tenant, eventId: id, destination });
        deliveries.push(d.row);
        attempts.push(...d.attempts);
      }
    }
    yield { events, deliveries, attempts };
  }
}

/** One delivery of an event and its attempts, in the state its age and luck give it. */
function delivery(rand, ulid, { t, now, tenant, eventId, destination }) {
  const id = `dlv_${ulid(t)}`;
  const r = rand();
  const attempt = (number, at, status, ms) => ({
    deliveryId: id,
    number,
    trigger: number === 1 ? "initial" : "retry",
    startedAt: at,
    durationMs: ms,
    status,
    error: null,
    errorMessage: null,
    headers: '{"content-type":"text/plain"}',
    body: status === 200 ? "ok" : "upstream unavailable",
  });
  const row = {
    id,
    tenant,
    eventId,
    destination,
    routes: `["to-${destination}"]`,
    status: "succeeded",
    attempts: 1,
    nextAttemptAt: null,
    nextTrigger: "initial",
    deadlineAt: t + 86_400_000,
    createdAt: t,
    updatedAt: t + 120,
    lastStatus: 200,
    lastError: null,
  };
  if (t > now - PENDING_MS)
    return {
      row: { ...row, status: "pending", attempts: 0, nextAttemptAt: t, updatedAt: t, lastStatus: null },
      attempts: [],
    };
  if (r < 0.05) {
    // Dead: five attempts over the hours after it came, each answered 503.
    const list = [0, 1, 2, 3, 4].map((k) =>
      attempt(k + 1, t + k * k * 600_000, 503, 40 + Math.floor(rand() * 200)),
    );
    const last = list.at(-1)?.startedAt ?? t;
    return {
      row: {
        ...row,
        status: "failed",
        attempts: 5,
        nextTrigger: "retry",
        updatedAt: last + 300,
        lastStatus: 503,
        lastError: "HTTP 503",
      },
      attempts: list,
    };
  }
  if (r < 0.06) {
    const list = [attempt(1, t, 503, 120), attempt(2, t + 600_000, 503, 90)];
    return {
      row: {
        ...row,
        status: "pending",
        attempts: 2,
        nextAttemptAt: Math.max(t + 3_600_000, now),
        nextTrigger: "retry",
        updatedAt: t + 600_100,
        lastStatus: 503,
        lastError: "HTTP 503",
      },
      attempts: list,
    };
  }
  if (r < 0.15) {
    const list = [attempt(1, t, 502, 300), attempt(2, t + 30_000, 200, 80)];
    return { row: { ...row, attempts: 2, nextTrigger: "retry", updatedAt: t + 30_100 }, attempts: list };
  }
  return { row, attempts: [attempt(1, t, 200, 20 + Math.floor(rand() * 150))] };
}

/** The destination states a worker would have saved: one per tenant and destination. */
function states(now) {
  return Object.values(TENANTS).flatMap((tenant) =>
    DESTINATIONS.map((destination) => ({ tenant, destination, lastSuccessAt: now - 1000 })),
  );
}

/**
 * Seeds a SQLite file whose schema the store made (and which nothing has open).
 * @param {string} file
 * @param {number} n
 * @param {number} now
 */
export function seedSqlite(file, n, now) {
  const db = new Database(file);
  db.pragma("synchronous = OFF");
  const ev =
    db.prepare(`INSERT INTO events (id, tenant, source, external_id, type, original_type, received_at, unknown_type, schema_issues, body)
    VALUES (@id, @tenant, @source, @externalId, @type, @type, @receivedAt, 0, NULL, @body)`);
  const dl =
    db.prepare(`INSERT INTO deliveries (id, tenant, event_id, destination, routes, status, attempts, schedule_base, next_attempt_at,
      next_trigger, deadline_at, created_at, updated_at, last_status, last_error)
    VALUES (@id, @tenant, @eventId, @destination, @routes, @status, @attempts, 0, @nextAttemptAt, @nextTrigger, @deadlineAt,
      @createdAt, @updatedAt, @lastStatus, @lastError)`);
  const at =
    db.prepare(`INSERT INTO attempts (delivery_id, number, trigger, started_at, duration_ms, status, error, error_message,
      response_headers, response_body, response_body_encoding)
    VALUES (@deliveryId, @number, @trigger, @startedAt, @durationMs, @status, @error, @errorMessage, @headers, @body, 'utf8')`);
  const st = db.prepare(
    "INSERT INTO destination_state (tenant, destination, last_success_at) VALUES (@tenant, @destination, @lastSuccessAt)",
  );
  const write = db.transaction((/** @type {any} */ b) => {
    for (const e of b.events) ev.run({ ...e, body: Buffer.from(e.body) });
    for (const d of b.deliveries) dl.run(d);
    for (const a of b.attempts) at.run(a);
  });
  for (const b of batches(n, now)) write(b);
  db.transaction(() => {
    for (const s of states(now)) st.run(s);
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

/**
 * Seeds a PostgreSQL schema the store made: each batch one transaction of three INSERTs, the
 * columns as arrays. Then VACUUM ANALYZE, as autovacuum would do after that many inserts.
 * @param {import("postgres").Sql} sql a connection whose search_path is the schema
 * @param {number} n
 * @param {number} now
 */
export async function seedPostgres(sql, n, now) {
  const col = (/** @type {any[]} */ rows, /** @type {string} */ k) => rows.map((r) => r[k]);
  for (const b of batches(n, now)) {
    await sql.begin(async (tx) => {
      await tx`SET LOCAL synchronous_commit = off`;
      const e = b.events;
      await tx`INSERT INTO events (id, tenant, source, external_id, type, original_type, received_at, body_text)
        SELECT * FROM unnest(${col(e, "id")}::text[], ${col(e, "tenant")}::text[], ${col(e, "source")}::text[],
          ${col(e, "externalId")}::text[], ${col(e, "type")}::text[], ${col(e, "type")}::text[],
          ${col(e, "receivedAt")}::bigint[], ${col(e, "body")}::text[])`;
      const d = b.deliveries;
      await tx`INSERT INTO deliveries (id, tenant, event_id, destination, routes, status, attempts, next_attempt_at, next_trigger,
          deadline_at, created_at, updated_at, last_status, last_error)
        SELECT * FROM unnest(${col(d, "id")}::text[], ${col(d, "tenant")}::text[], ${col(d, "eventId")}::text[],
          ${col(d, "destination")}::text[], ${col(d, "routes")}::text[], ${col(d, "status")}::text[],
          ${col(d, "attempts")}::integer[], ${col(d, "nextAttemptAt")}::bigint[], ${col(d, "nextTrigger")}::text[],
          ${col(d, "deadlineAt")}::bigint[], ${col(d, "createdAt")}::bigint[], ${col(d, "updatedAt")}::bigint[],
          ${col(d, "lastStatus")}::integer[], ${col(d, "lastError")}::text[])`;
      const a = b.attempts;
      await tx`INSERT INTO attempts (delivery_id, number, trigger, started_at, duration_ms, status, error, error_message,
          response_headers, response_body, response_body_encoding)
        SELECT *, 'utf8' FROM unnest(${col(a, "deliveryId")}::text[], ${col(a, "number")}::integer[], ${col(a, "trigger")}::text[],
          ${col(a, "startedAt")}::bigint[], ${col(a, "durationMs")}::bigint[], ${col(a, "status")}::integer[],
          ${col(a, "error")}::text[], ${col(a, "errorMessage")}::text[], ${col(a, "headers")}::text[], ${col(a, "body")}::text[])`;
    });
  }
  for (const s of states(now)) {
    await sql`INSERT INTO destination_state (tenant, destination, last_success_at) VALUES (${s.tenant}, ${s.destination}, ${s.lastSuccessAt})`;
  }
  await sql`VACUUM ANALYZE events`;
  await sql`VACUUM ANALYZE deliveries`;
  await sql`VACUUM ANALYZE attempts`;
}
