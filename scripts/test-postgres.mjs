// The PostgreSQL leg of `npm test`: every test that opens its store through the shared helpers
// (scripts/store-tests.mjs: the storage conformance suite, the PostgreSQL store's own tests and
// the end-to-end suites), again, on the PostgreSQL server at
// SWITCHYARD_TEST_POSTGRES_URL; without a reachable server they are skipped, except under CI=true,
// where a missing server is a failure. Then test/chaos, on its own: the chaos test restarts its
// database, so it starts a throwaway server of its own (test/support/postgres-cluster.ts: initdb
// in a temporary folder, a free port) and never stops or restarts the shared one; it runs whether
// or not the shared server answers, and skips itself without PostgreSQL's server programs.
import { spawnSync } from "node:child_process";
import postgres from "postgres";
import { storeTests } from "./store-tests.mjs";

const url = process.env.SWITCHYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const { both: FILES, undeclared } = storeTests();
if (undeclared.length > 0) {
  console.error(
    `Tests that open a store without the shared helpers, and do not say they run on SQLite only:\n  ${undeclared.join("\n  ")}`,
  );
  process.exit(1);
}

const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
let reachable = true;
try {
  await sql`SELECT 1`;
} catch (error) {
  reachable = false;
  const message = `PostgreSQL is not reachable at ${url.replace(/\/\/[^@/]*@/, "//…@")}: ${error.message}`;
  if (process.env.CI === "true") {
    console.error(`${message}\nCI=true: the PostgreSQL leg cannot be skipped.`);
    process.exit(1);
  }
  console.log(`${message}\nSkipping the suites on it (set CI=true to make this a failure).`);
} finally {
  await sql.end({ timeout: 1 });
}
const env = { ...process.env, SWITCHYARD_TEST_STORE: "postgres" };
if (reachable) {
  const run = spawnSync("npx", ["vitest", "run", ...FILES], { stdio: "inherit", env });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
// After the leg, not beside it: 4,000 events through three processes load the machine.
const chaos = spawnSync("npx", ["vitest", "run", "test/chaos"], { stdio: "inherit", env });
process.exit(chaos.status ?? 1);
