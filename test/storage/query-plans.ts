// The statements a store runs for a read, caught as it runs them, and the plans the database
// makes for them: for the query-plan tests.

import postgres from "postgres";
import Database from "../../src/storage/sqlite/driver.js";
import { TEST_POSTGRES_URL } from "../support/app.js";

/** A statement as the store ran it. */
export interface RanStatement {
  sql: string;
  params: unknown[];
}

/** The tables that grow with traffic: a read must never scan or sort one of them whole. */
export const BIG_TABLES = ["events", "deliveries", "attempts"];

const ran: RanStatement[] = [];
let catching = false;

/** Runs `read` and returns the statements the store ran for it. */
export async function statementsOf(read: () => Promise<unknown>): Promise<RanStatement[]> {
  ran.length = 0;
  catching = true;
  try {
    await read();
  } finally {
    catching = false;
  }
  return [...ran];
}

/**
 * Catches the SQLite statements run on this thread (the store's read connection: its reads, a
 * bulk replay's dry run) by wrapping better-sqlite3's statement methods; returns the undo.
 */
export function catchSqlite(): () => void {
  const probe = new Database(":memory:");
  const proto = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<string, unknown>;
  probe.close();
  const originals = new Map<string, unknown>();
  for (const name of ["all", "get", "iterate"]) {
    const original = proto[name] as (...args: unknown[]) => unknown;
    originals.set(name, original);
    proto[name] = function (this: { source: string }, ...args: unknown[]) {
      if (catching) ran.push({ sql: this.source, params: args });
      return original.apply(this, args);
    };
  }
  return () => {
    for (const [name, original] of originals) proto[name] = original;
  };
}

/** postgres.js's `debug` option: how a mocked `postgres()` hands each query here. */
export function catchPostgres(_connection: number, sql: string, params: unknown[]): void {
  if (catching) ran.push({ sql, params: [...params] });
}

/** One node of a plan, in words the assertions read. */
export interface PlanStep {
  /** SQLite: a line of EXPLAIN QUERY PLAN. PostgreSQL: a node type with its relation and index. */
  text: string;
  /** A whole table read (SQLite `SCAN t` without an index; PostgreSQL `Seq Scan`). */
  fullScan: boolean;
  /** An index read end to end in its order, stopping when the page is full (no condition on it). */
  orderedWalk: boolean;
  /** Rows sorted after they were read (SQLite's temp B-tree; PostgreSQL's Sort). */
  sort: boolean;
  /** The table read, when the step reads one. */
  table: string | null;
}

/** The plan SQLite makes for a statement, on its own read-only connection to the store's file. */
export function sqlitePlan(file: string, s: RanStatement): PlanStep[] {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...(s.params as never[])) as {
      detail: string;
    }[];
    const aliases = aliasesOf(s.sql);
    return rows.map(({ detail }) => {
      const scan = /^SCAN (\w+)/.exec(detail);
      const named = /^(?:SCAN|SEARCH) (\w+)/.exec(detail)?.[1] ?? null;
      const table = named === null ? null : (aliases.get(named) ?? named);
      return {
        text: detail,
        fullScan: scan !== null && !/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/.test(detail),
        orderedWalk: scan !== null,
        sort: /USE TEMP B-TREE FOR (ORDER BY|GROUP BY|DISTINCT)/.test(detail),
        table,
      };
    });
  } finally {
    db.close();
  }
}

/** `FROM deliveries d` → d: deliveries. */
function aliasesOf(sql: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)\s+(?:AS\s+)?(\w+)/gi)) {
    const [, table, alias] = m;
    if (table && alias && !/^(ON|WHERE|JOIN|CROSS|LEFT|INNER|ORDER|GROUP|LIMIT)$/i.test(alias))
      out.set(alias, table);
  }
  return out;
}

interface PgNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Plan Rows"?: number;
  Plans?: PgNode[];
}

/**
 * The plan PostgreSQL makes for a statement in the store's schema, with sequential scans
 * disabled, so that one left in the plan means no index can serve the read.
 */
export async function postgresPlan(schema: string, s: RanStatement): Promise<PlanStep[]> {
  const sql = postgres(TEST_POSTGRES_URL, {
    max: 1,
    onnotice: () => {},
    connection: { search_path: schema },
  });
  try {
    const [row] = await sql.begin(async (tx) => {
      await tx`SET LOCAL enable_seqscan = off`;
      return tx.unsafe(`EXPLAIN (FORMAT JSON) ${s.sql}`, s.params as never[]);
    });
    const plan = (row as unknown as { "QUERY PLAN": [{ Plan: PgNode }] })["QUERY PLAN"][0].Plan;
    const steps: PlanStep[] = [];
    const visit = (node: PgNode) => {
      const type = node["Node Type"];
      const table = node["Relation Name"] ?? null;
      steps.push({
        text: `${type}${table ? ` on ${table}` : ""}${node["Index Name"] ? ` using ${node["Index Name"]}` : ""}${node["Index Cond"] ? ` (${node["Index Cond"]})` : ""}`,
        fullScan: type === "Seq Scan",
        orderedWalk: /Index( Only)? Scan/.test(type) && node["Index Cond"] === undefined,
        sort: type === "Sort" || type === "Incremental Sort",
        table,
      });
      for (const child of node.Plans ?? []) visit(child);
    };
    visit(plan);
    return steps;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
