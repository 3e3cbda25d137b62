import type { Migration } from "../backend.js";
import type { Sql } from "./connection.js";

/** Serialises migrations of one schema across nodes that start together (with the schema's hash). */
const MIGRATION_LOCK = 0x5377_7964; // "Swyd"

/** The PostgreSQL migrations, in order. Never edit one that has shipped: add the next number. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "events",
    sql: `
      CREATE TABLE events (
        seq bigserial PRIMARY KEY,
        id text NOT NULL UNIQUE,
        tenant text NOT NULL,
        source text NOT NULL,
        external_id text,
        type text NOT NULL,
        original_type text NOT NULL,
        received_at bigint NOT NULL,
        unknown_type boolean NOT NULL DEFAULT false,
        schema_issues text,
        body bytea NOT NULL
      );
      CREATE UNIQUE INDEX events_dedupe ON events (tenant, source, external_id) WHERE external_id IS NOT NULL;
    `,
  },
  {
    version: 2,
    name: "deliveries",
    sql: `
      CREATE TABLE deliveries (
        seq bigserial PRIMARY KEY,
        id text NOT NULL UNIQUE,
        tenant text NOT NULL,
        event_id text NOT NULL,
        destination text NOT NULL,
        routes text NOT NULL,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        schedule_base integer NOT NULL DEFAULT 0,
        next_attempt_at bigint,
        next_trigger text NOT NULL,
        deadline_at bigint NOT NULL,
        lease_until bigint,
        lease_owner text,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        last_status integer,
        last_error text
      );
      CREATE INDEX deliveries_due ON deliveries (destination, next_attempt_at) WHERE status = 'pending';
      CREATE INDEX deliveries_fifo ON deliveries (destination, seq) WHERE status = 'pending';
      CREATE INDEX deliveries_event ON deliveries (event_id);
      CREATE INDEX deliveries_status ON deliveries (status, seq);
      CREATE TABLE attempts (
        id bigserial PRIMARY KEY,
        delivery_id text NOT NULL,
        number integer NOT NULL,
        trigger text NOT NULL,
        started_at bigint NOT NULL,
        duration_ms bigint NOT NULL,
        status integer,
        error text,
        error_message text,
        response_headers text,
        response_body text
      );
      CREATE INDEX attempts_delivery ON attempts (delivery_id, number);
      CREATE TABLE destination_state (
        tenant text NOT NULL,
        destination text NOT NULL,
        state text NOT NULL DEFAULT 'active',
        disabled_reason text,
        consecutive_failures integer NOT NULL DEFAULT 0,
        circuit_open_until bigint,
        circuit_cooldown_ms bigint NOT NULL DEFAULT 0,
        last_success_at bigint,
        last_failure_at bigint,
        PRIMARY KEY (tenant, destination)
      );
    `,
  },
  {
    version: 3,
    name: "shared destination limits",
    sql: `
      -- A destination's rate-limit bucket, shared by every node (see core/rate-limit.ts for units).
      ALTER TABLE destination_state ADD COLUMN rate_level bigint, ADD COLUMN rate_at bigint;
      -- Deliveries in flight, counted per destination at claim time.
      CREATE INDEX deliveries_leased ON deliveries (destination, lease_until) WHERE lease_until IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: "transforms",
    sql: `
      ALTER TABLE deliveries ADD COLUMN route text;
      ALTER TABLE deliveries ADD COLUMN transform text;
    `,
  },
  {
    version: 5,
    name: "text bodies",
    sql: `
      -- A body that is valid UTF-8 is stored as text: half the bytes of bytea's hex on the wire,
      -- each way. Exactly one of the two columns holds the body (rows stored before hold body).
      ALTER TABLE events ALTER COLUMN body DROP NOT NULL;
      ALTER TABLE events ADD COLUMN body_text text;
      ALTER TABLE events ADD CONSTRAINT events_one_body CHECK ((body IS NULL) <> (body_text IS NULL)) NOT VALID;
    `,
  },
  {
    version: 6,
    name: "attempt body encoding",
    sql: `
      -- How response_body is to be read: 'utf8' (the text itself) or 'base64' (bytes that are not
      -- valid UTF-8, or hold NUL, which text cannot). Null for attempts stored before: text.
      ALTER TABLE attempts ADD COLUMN response_body_encoding text;
    `,
  },
  {
    version: 7,
    name: "tenant in the claim indexes",
    sql: `
      -- A destination is keyed (tenant, destination): the claim, in-flight count and next-due
      -- queries filter on both.
      DROP INDEX deliveries_due;
      DROP INDEX deliveries_fifo;
      DROP INDEX deliveries_leased;
      CREATE INDEX deliveries_due ON deliveries (tenant, destination, next_attempt_at) WHERE status = 'pending';
      CREATE INDEX deliveries_fifo ON deliveries (tenant, destination, seq) WHERE status = 'pending';
      CREATE INDEX deliveries_leased ON deliveries (tenant, destination, lease_until) WHERE lease_until IS NOT NULL;
    `,
  },
  {
    version: 8,
    name: "topology",
    sql: `
      -- Sources, destinations and routes defined at run time, keyed (tenant, slug): the definition
      -- as JSON, secrets (a JSON array) apart from it. The version counts every change to any row.
      CREATE TABLE sources (
        tenant text NOT NULL,
        slug text NOT NULL,
        definition text NOT NULL,
        secrets text,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (tenant, slug)
      );
      CREATE TABLE destinations (
        tenant text NOT NULL,
        slug text NOT NULL,
        definition text NOT NULL,
        secrets text,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (tenant, slug)
      );
      CREATE TABLE routes (
        tenant text NOT NULL,
        slug text NOT NULL,
        definition text NOT NULL,
        secrets text,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (tenant, slug)
      );
      -- A source's slug is its URL (/ingest/:slug): unique across tenants.
      CREATE UNIQUE INDEX sources_slug ON sources (slug);
      CREATE TABLE topology_version (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL);
      INSERT INTO topology_version (id, version) VALUES (1, 0);
    `,
  },
  {
    version: 9,
    name: "installations",
    sql: `
      -- Installations of the Vercel integration, each a tenant (id: the configurationId). The token
      -- is sealed by the caller; scopes, projects and a removal's counts are JSON. A removed one
      -- stays as its audit record, its token cleared.
      CREATE TABLE installations (
        id text PRIMARY KEY,
        team_id text,
        user_id text NOT NULL,
        access_token text,
        scopes text NOT NULL,
        projects text NOT NULL,
        status text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        removed_at bigint,
        removed_counts text
      );
      CREATE INDEX installations_listed ON installations (created_at, id);
      CREATE INDEX installations_team ON installations (team_id) WHERE status = 'active';
      CREATE INDEX installations_user ON installations (user_id) WHERE status = 'active' AND team_id IS NULL;
      -- OAuth states and browser sessions, keyed by the SHA-256 of their value, never the value.
      CREATE TABLE oauth_states (
        hash text PRIMARY KEY,
        binding text NOT NULL,
        expires_at bigint NOT NULL
      );
      CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);
      CREATE TABLE browser_sessions (
        hash text PRIMARY KEY,
        tenant text NOT NULL,
        expires_at bigint NOT NULL
      );
      CREATE INDEX browser_sessions_tenant ON browser_sessions (tenant);
      CREATE INDEX browser_sessions_expiry ON browser_sessions (expires_at);
    `,
  },
  {
    version: 10,
    name: "deployment actions",
    sql: `
      -- Runs of deployment integration actions, one per (installation, deployment, resource,
      -- action). A lease: its owner, until when, how long a renewal extends it, and the phase it
      -- was taken for (a retry waits only while that phase stands).
      CREATE TABLE action_runs (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        deployment_id text NOT NULL,
        resource_id text NOT NULL,
        action text NOT NULL,
        project_id text,
        event_id text NOT NULL,
        status text NOT NULL,
        status_text text,
        phase text,
        made jsonb,
        steps jsonb NOT NULL DEFAULT '[]',
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        next_run_at bigint,
        lease_owner text,
        lease_until bigint,
        lease_ms bigint,
        lease_phase text
      );
      CREATE UNIQUE INDEX action_runs_key ON action_runs (tenant, deployment_id, resource_id, action);
      -- Runs with a phase to do are few: claims and the next due time walk only them.
      CREATE INDEX action_runs_todo ON action_runs (id) WHERE phase IS NOT NULL;
      CREATE INDEX action_runs_tenant ON action_runs (tenant, id);
      CREATE INDEX action_runs_ended ON action_runs (updated_at) WHERE phase IS NULL;
      -- Reports to Vercel, sent in seq order per run (a run's reports are queued under its row
      -- lock, so seq is their order).
      CREATE TABLE action_reports (
        seq bigserial PRIMARY KEY,
        id text NOT NULL UNIQUE,
        run_id text NOT NULL,
        tenant text NOT NULL,
        body text NOT NULL,
        state text NOT NULL,
        attempts jsonb NOT NULL DEFAULT '[]',
        next_attempt_at bigint,
        deadline_at bigint NOT NULL,
        created_at bigint NOT NULL,
        lease_owner text,
        lease_until bigint
      );
      CREATE INDEX action_reports_run ON action_reports (run_id, seq);
      CREATE INDEX action_reports_due ON action_reports (next_attempt_at) WHERE state = 'pending';
    `,
  },
  {
    version: 11,
    name: "deployment checks",
    sql: `
      -- Deployment checks are runs too: kind 'check', keyed (tenant, deployment, '', check name).
      -- external_id is Vercel's id of what the run reports on (a check), known once it is created.
      ALTER TABLE action_runs ADD COLUMN kind text NOT NULL DEFAULT 'action';
      ALTER TABLE action_runs ADD COLUMN external_id text;
      DROP INDEX action_runs_key;
      CREATE UNIQUE INDEX action_runs_key ON action_runs (tenant, deployment_id, resource_id, action, kind);
      CREATE INDEX action_runs_external ON action_runs (tenant, deployment_id, external_id)
        WHERE external_id IS NOT NULL;
      -- Which endpoint a report goes to: 'action' (PATCH …/actions/…), 'check' (PATCH …/checks/…),
      -- 'check-run' (PATCH /v2/…/check-runs/…).
      ALTER TABLE action_reports ADD COLUMN target text NOT NULL DEFAULT 'action';
    `,
  },
  {
    version: 12,
    name: "run settings",
    sql: `
      -- Which deployment actions and checks run for an installation, as JSON: the items it changed
      -- from "every project", each [{kind, name, runs: "off" | [project ids]}]. Cleared when it is removed.
      ALTER TABLE installations ADD COLUMN run_settings text NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 13,
    name: "event stream",
    sql: `
      -- The transaction that stored each event, by its 64-bit id (xid8 never wraps): a stream
      -- reads a tenant's events in (xact, seq) order, and only those of transactions older than
      -- every one still running (postgres/stream.ts says why seq alone cannot be trusted). Rows
      -- stored before have 0, and keep their seq order, before every new one.
      ALTER TABLE events ADD COLUMN xact xid8 NOT NULL DEFAULT '0';
      ALTER TABLE events ALTER COLUMN xact SET DEFAULT pg_current_xact_id();
      CREATE INDEX events_stream ON events (tenant, xact, seq);
    `,
  },
  {
    version: 14,
    name: "deliveries by tenant and status",
    sql: `
      -- A tenant's dead letters (or any status) newest first, a page at a time: an index walk
      -- from the cursor, however many other tenants' rows share the status.
      CREATE INDEX deliveries_tenant_status ON deliveries (tenant, status, seq);
    `,
  },
  {
    version: 15,
    name: "recent attempts",
    // A destination's health over the last hour reads its tenant's attempts by start time,
    // newest first (joined to their deliveries by id for the tenant and destination).
    sql: "CREATE INDEX attempts_started ON attempts (started_at);",
  },
  {
    version: 16,
    name: "one status index",
    // Every read by status names the tenant, and (tenant, status, seq) serves it; the whole-store
    // counts by status aggregate a scan either way. Each delivery stored and each outcome recorded
    // paid for both.
    sql: "DROP INDEX deliveries_status;",
  },
  {
    version: 17,
    name: "bodies compressed with lz4",
    // A body of more than ~2 KB is compressed as it is stored. lz4 saves PostgreSQL about a fifth
    // of the CPU an event's insert spends with the default pglz (BENCHMARKS.md), and reads back
    // faster. Only new rows are written so; a server without lz4 (before 14, or built without it)
    // keeps pglz.
    sql: `
      DO $$
      BEGIN
        EXECUTE 'ALTER TABLE events ALTER COLUMN body_text SET COMPRESSION lz4, ALTER COLUMN body SET COMPRESSION lz4';
      EXCEPTION WHEN feature_not_supported OR syntax_error THEN
        NULL;
      END
      $$;
    `,
  },
];

/**
 * Applies the migrations not yet applied to the current schema, each in its own transaction under
 * an advisory lock, so nodes starting together apply each one once; returns the versions applied.
 */
export async function migrate(sql: Sql): Promise<number[]> {
  const done: number[] = [];
  for (const m of migrations) {
    const applied = await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK}, hashtext(current_schema()))`;
      await tx`
        CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)
      `;
      const [row] = await tx`SELECT 1 FROM schema_migrations WHERE version = ${m.version}`;
      if (row) return false;
      await tx.unsafe(m.sql).simple();
      await tx`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, ${m.name}, ${Date.now()})`;
      return true;
    });
    if (applied) done.push(m.version);
  }
  return done;
}
