// The PostgreSQL leg of `npm test`: the storage conformance suite, the PostgreSQL store's own
// tests and the end-to-end ingest and delivery suites again, on a PostgreSQL server; then, alone
// because it restarts the server, the chaos test. Without a reachable server the leg is skipped,
// except under CI=true, where a missing server is a failure.
import { spawnSync } from "node:child_process";
import postgres from "postgres";

const url = process.env.SWITCHYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const FILES = [
  "test/storage",
  "test/ingest.test.ts",
  "test/restart.test.ts",
  "test/delivery.test.ts",
  "test/delivery-limits.test.ts",
  "test/delivery-handoff.test.ts",
  "test/replay.test.ts",
  "test/metrics.test.ts",
  "test/transform/delivery.test.ts",
  "test/hostile",
];

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
  console.log(`${message}\nSkipping the PostgreSQL leg (set CI=true to make this a failure).`);
} finally {
  await sql.end({ timeout: 1 });
}
if (reachable) {
  const env = { ...process.env, SWITCHYARD_TEST_STORE: "postgres" };
  const run = spawnSync("npx", ["vitest", "run", ...FILES], { stdio: "inherit", env });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const chaos = spawnSync("npx", ["vitest", "run", "test/chaos"], { stdio: "inherit", env });
  process.exit(chaos.status ?? 1);
}
