// SQLite's planner reads the value bound to a bare `LIMIT ?` and marks the statement to be compiled
// again whenever the parameter is bound anew: at every run of a statement prepared once (a claim,
// a stream read), ~10 µs where its reads cost 1–2. Every bound LIMIT goes through `boundLimit`,
// an expression that is only evaluated. The statements are SQL text in the source, so the source is
// what is checked.
// Runs on SQLite only: it is about SQLite's statements, and opens an in-memory database of its own.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { boundLimit } from "../../src/storage/sqlite/connection.js";
import Database from "../../src/storage/sqlite/driver.js";

const ROOT = join(import.meta.dirname, "../../src/storage/sqlite");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

/** `LIMIT` (or `OFFSET`) followed by a whole parameter that is not part of an expression. */
const BARE = /\b(LIMIT|OFFSET)\s+(\?\d*|[@:$][A-Za-z_]\w*)(?!\w)(?!\s*[-+*/])/g;

/** A source's code without its comments (which may quote what they warn of). */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");

describe("bound LIMITs in SQLite statements", () => {
  it("finds a bare one, and none in the store's statements", () => {
    expect("SELECT x FROM t LIMIT ?".match(BARE)).toHaveLength(1);
    expect("SELECT x FROM t LIMIT @limit".match(BARE)).toHaveLength(1);
    expect(`SELECT x FROM t LIMIT ${boundLimit("@limit")}`.match(BARE)).toBeNull();
    const found = sources(ROOT).flatMap((file) =>
      [...code(readFileSync(file, "utf8")).matchAll(BARE)].map((m) => `${file}: ${m[0]}`),
    );
    expect(found).toEqual([]);
  });

  it("limits as a bare parameter does", () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (3), (1), (2);");
    const limited = db.prepare(`SELECT x FROM t ORDER BY x LIMIT ${boundLimit("?")}`).pluck();
    expect(limited.all(2)).toEqual([1, 2]);
    expect(limited.all(0)).toEqual([]);
    // A negative LIMIT is no limit, as it is bare.
    expect(limited.all(-1)).toEqual([1, 2, 3]);
    db.close();
  });
});
