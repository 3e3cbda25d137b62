import type { Migration } from "../backend.js";
import type { Connection } from "./connection.js";

/** The SQLite migrations, in order. Never edit one that has shipped: add the next number. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "events",
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        tenant TEXT NOT NULL,
        source TEXT NOT NULL,
        external_id TEXT,
        type TEXT NOT NULL,
        original_type TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        unknown_type INTEGER NOT NULL DEFAULT 0,
        schema_issues TEXT,
        body BLOB NOT NULL
      );
      CREATE UNIQUE INDEX events_dedupe ON events (tenant, source, external_id) WHERE external_id IS NOT NULL;
    `,
  },
  {
    version: 2,
    name: "deliveries",
    sql: `
      CREATE TABLE deliveries (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        tenant TEXT NOT NULL,
        event_id TEXT NOT NULL,
        destination TEXT NOT NULL,
        routes TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        schedule_base INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        next_trigger TEXT NOT NULL,
        deadline_at INTEGER NOT NULL,
        lease_until INTEGER,
        lease_owner TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_status INTEGER,
        last_error TEXT
      );
      CREATE INDEX deliveries_due ON deliveries (destination, next_attempt_at) WHERE status = 'pending';
      CREATE INDEX deliveries_fifo ON deliveries (destination, seq) WHERE status = 'pending';
      CREATE INDEX deliveries_event ON deliveries (event_id);
      CREATE INDEX deliveries_status ON deliveries (status, seq);
      CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        delivery_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        trigger TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        status INTEGER,
        error TEXT,
        error_message TEXT,
        response_headers TEXT,
        response_body TEXT
      );
      CREATE INDEX attempts_delivery ON attempts (delivery_id, number);
      CREATE TABLE destination_state (
        tenant TEXT NOT NULL,
        destination TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'active',
        disabled_reason TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        circuit_open_until INTEGER,
        circuit_cooldown_ms INTEGER NOT NULL DEFAULT 0,
        last_success_at INTEGER,
        last_failure_at INTEGER,
        PRIMARY KEY (tenant, destination)
      );
    `,
  },
  {
    version: 3,
    name: "transforms",
    // route: the route whose transform shapes a delivery's body (null: the raw event, shared by
    // routes without a transform). transform: what the last transform did.
    sql: `
      ALTER TABLE deliveries ADD COLUMN route TEXT;
      ALTER TABLE deliveries ADD COLUMN transform TEXT;
    `,
  },
  {
    version: 4,
    name: "attempt body encoding",
    // How response_body is to be read: 'utf8' (the text itself) or 'base64' (bytes that are not
    // valid UTF-8, or hold NUL). Null for attempts stored before, whose bodies are text.
    sql: "ALTER TABLE attempts ADD COLUMN response_body_encoding TEXT;",
  },
  {
    version: 5,
    name: "readiness probe",
    // One row, rewritten by /readyz after a commit failed, to learn whether commits succeed again.
    sql: "CREATE TABLE readiness_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);",
  },
  {
    version: 6,
    name: "tenant in the claim indexes",
    // A destination is keyed (tenant, destination): the claim and next-due queries filter on both.
    sql: `
      DROP INDEX deliveries_due;
      DROP INDEX deliveries_fifo;
      CREATE INDEX deliveries_due ON deliveries (tenant, destination, next_attempt_at) WHERE status = 'pending';
      CREATE INDEX deliveries_fifo ON deliveries (tenant, destination, seq) WHERE status = 'pending';
    `,
  },
  {
    version: 7,
    name: "topology",
    // Sources, destinations and routes defined at run time, keyed (tenant, slug): the definition
    // as JSON, secrets (a JSON array) apart from it. The version counts every change to any row.
    sql: `
      CREATE TABLE sources (
        tenant TEXT NOT NULL,
        slug TEXT NOT NULL,
        definition TEXT NOT NULL,
        secrets TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (tenant, slug)
      );
      CREATE TABLE destinations (
        tenant TEXT NOT NULL,
        slug TEXT NOT NULL,
        definition TEXT NOT NULL,
        secrets TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (tenant, slug)
      );
      CREATE TABLE routes (
        tenant TEXT NOT NULL,
        slug TEXT NOT NULL,
        definition TEXT NOT NULL,
        secrets TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (tenant, slug)
      );
      -- A source's slug is its URL (/ingest/:slug): unique across tenants.
      CREATE UNIQUE INDEX sources_slug ON sources (slug);
      CREATE TABLE topology_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
      INSERT INTO topology_version (id, version) VALUES (1, 0);
    `,
  },
  {
    version: 8,
    name: "installations",
    sql: `
      -- Installations of the Vercel integration, each a tenant (id: the configurationId). The token
      -- is sealed by the caller; scopes, projects and a removal's counts are JSON. A removed one
      -- stays as its audit record, its token cleared.
      CREATE TABLE installations (
        id TEXT PRIMARY KEY,
        team_id TEXT,
        user_id TEXT NOT NULL,
        access_token TEXT,
        scopes TEXT NOT NULL,
        projects TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        removed_at INTEGER,
        removed_counts TEXT
      );
      CREATE INDEX installations_listed ON installations (created_at, id);
      CREATE INDEX installations_team ON installations (team_id) WHERE status = 'active';
      CREATE INDEX installations_user ON installations (user_id) WHERE status = 'active' AND team_id IS NULL;
      -- OAuth states and browser sessions, keyed by the SHA-256 of their value, never the value.
      CREATE TABLE oauth_states (
        hash TEXT PRIMARY KEY,
        binding TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);
      CREATE TABLE browser_sessions (
        hash TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX browser_sessions_tenant ON browser_sessions (tenant);
      CREATE INDEX browser_sessions_expiry ON browser_sessions (expires_at);
    `,
  },
  {
    version: 9,
    name: "deployment actions",
    sql: `
      -- Runs of deployment integration actions, one per (installation, deployment, resource,
      -- action). made and steps are JSON. A lease: its owner, until when, how long a renewal
      -- extends it, and the phase it was taken for (a retry waits only while that phase stands).
      CREATE TABLE action_runs (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        deployment_id TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        action TEXT NOT NULL,
        project_id TEXT,
        event_id TEXT NOT NULL,
        status TEXT NOT NULL,
        status_text TEXT,
        phase TEXT,
        made TEXT,
        steps TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        next_run_at INTEGER,
        lease_owner TEXT,
        lease_until INTEGER,
        lease_ms INTEGER,
        lease_phase TEXT
      );
      CREATE UNIQUE INDEX action_runs_key ON action_runs (tenant, deployment_id, resource_id, action);
      -- Runs with a phase to do are few: claims and the next due time walk only them.
      CREATE INDEX action_runs_todo ON action_runs (id) WHERE phase IS NOT NULL;
      CREATE INDEX action_runs_tenant ON action_runs (tenant, id);
      CREATE INDEX action_runs_ended ON action_runs (updated_at) WHERE phase IS NULL;
      -- Reports to Vercel, sent in seq order per run; attempts is a JSON list.
      CREATE TABLE action_reports (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        run_id TEXT NOT NULL,
        tenant TEXT NOT NULL,
        body TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts TEXT NOT NULL DEFAULT '[]',
        next_attempt_at INTEGER,
        deadline_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER
      );
      CREATE INDEX action_reports_run ON action_reports (run_id, seq);
      CREATE INDEX action_reports_due ON action_reports (next_attempt_at) WHERE state = 'pending';
    `,
  },
  {
    version: 10,
    name: "deployment checks",
    sql: `
      -- Deployment checks are runs too: kind 'check', keyed (tenant, deployment, '', check name).
      -- external_id is Vercel's id of what the run reports on (a check), known once it is created.
      ALTER TABLE action_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'action';
      ALTER TABLE action_runs ADD COLUMN external_id TEXT;
      DROP INDEX action_runs_key;
      CREATE UNIQUE INDEX action_runs_key ON action_runs (tenant, deployment_id, resource_id, action, kind);
      CREATE INDEX action_runs_external ON action_runs (tenant, deployment_id, external_id)
        WHERE external_id IS NOT NULL;
      -- Which endpoint a report goes to: 'action' (PATCH …/actions/…), 'check' (PATCH …/checks/…),
      -- 'check-run' (PATCH /v2/…/check-runs/…).
      ALTER TABLE action_reports ADD COLUMN target TEXT NOT NULL DEFAULT 'action';
    `,
  },
  {
    version: 11,
    name: "run settings",
    sql: `
      -- Which deployment actions and checks run for an installation, as JSON: the items it changed
      -- from "every project", each [{kind, name, runs: "off" | [project ids]}]. Cleared when it is removed.
      ALTER TABLE installations ADD COLUMN run_settings TEXT NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 12,
    name: "event stream",
    sql: `
      -- A stream reads a tenant's events in seq order: with one writer, seq is commit order.
      CREATE INDEX events_stream ON events (tenant, seq);
      -- The highest seq events have had. SQLite gives a new row the table's highest seq plus one,
      -- so once the newest events were deleted (a tenant's removal, retention) their seqs would
      -- be given again, behind a stream that read past them: a delete raises this first, and an
      -- insert goes above it.
      CREATE TABLE event_seq (id INTEGER PRIMARY KEY CHECK (id = 1), high INTEGER NOT NULL);
      INSERT INTO event_seq (id, high) VALUES (1, (SELECT coalesce(max(seq), 0) FROM events));
    `,
  },
  {
    version: 13,
    name: "deliveries by tenant and status",
    sql: `
      -- A tenant's dead letters (or any status) newest first, a page at a time: an index walk
      -- from the cursor, however many other tenants' rows share the status.
      CREATE INDEX deliveries_tenant_status ON deliveries (tenant, status, seq);
    `,
  },
  {
    version: 14,
    name: "recent attempts",
    // A destination's health over the last hour reads its tenant's attempts by start time,
    // newest first (joined to their deliveries by id for the tenant and destination).
    sql: "CREATE INDEX attempts_started ON attempts (started_at);",
  },
  {
    version: 15,
    name: "one status index",
    // Every read by status names the tenant, and (tenant, status, seq) serves it; the whole-store
    // counts by status scan either index. Each delivery stored and each outcome recorded paid for
    // both.
    sql: "DROP INDEX deliveries_status;",
  },
];

/** Applies the migrations not yet applied, each in its own transaction; returns the versions applied. */
export function migrate(db: Connection): number[] {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
  );
  const applied = new Set(db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[]);
  const done: number[] = [];
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        m.version,
        m.name,
        Date.now(),
      );
    }).immediate();
    done.push(m.version);
  }
  return done;
}
