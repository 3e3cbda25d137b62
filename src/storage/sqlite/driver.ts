/**
 * better-sqlite3, the release that runs safely on this Node. Release 12 (on V8's own API, compiled
 * at install) runs on Node 20 and 22, but on Node 24 it aborts the process when the garbage
 * collector frees a statement (`Assertion failed: (env) != nullptr` in Node's cleanup hooks).
 * Release 13 (on Node-API, prebuilt) does not, but it asks for Node-API 10, which Node has from
 * 22.14 and Node 20 never got: loading it there crashes the process. package.json installs both
 * (13 under the alias `better-sqlite3-13`), and this module picks by the Node-API this Node has.
 * Both have the same API; the types are release 12's.
 */
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";

/** The Node-API version release 13 is built for. */
const NODE_API_OF_13 = 10;

/** The package this process loads: `better-sqlite3-13` where Node-API 10 is there, else `better-sqlite3`. */
export const sqlitePackage =
  Number(process.versions.napi) >= NODE_API_OF_13 ? "better-sqlite3-13" : "better-sqlite3";

/** The `Database` class of the release this Node runs. */
const Database = createRequire(import.meta.url)(sqlitePackage) as typeof BetterSqlite3;
export default Database;

/** An open SQLite database. */
export type SqliteDatabase = BetterSqlite3.Database;
