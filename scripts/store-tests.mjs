// Which test files run on which store, found from the files themselves rather than a hand list:
// - a test that opens its store through the shared helpers (`startTestApp`, `storeHarness`, `apiTestApp`, `startIntegrationApp`), which
//   honour SWITCHYARD_TEST_STORE, runs on both legs; so do test/storage/postgres-* (PostgreSQL's own);
// - a test that opens a store in another way (a `sqlite:` URL of its own, `openStore`, a driver)
//   must say so on a line `// Runs on SQLite only: <why>.`; it then runs on the SQLite leg only,
//   as does a helper-using test that carries the line.
// test/store-tests.test.ts fails when a test opens a store in another way without saying so.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const HELPER = /\b(startTestApp|storeHarness|apiTestApp|startIntegrationApp)\(/;
const OWN_STORE =
  /sqlite:\$\{|\bopenStore\(|\bstartApp\(|SqliteStore\.open|PostgresStore\.open|new Database\(/;
const SQLITE_ONLY = /^\/\/ Runs on SQLite only: \S/m;

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The test files (outside test/chaos, which runs on its own) sorted by the stores they run on. */
export function storeTests(root = process.cwd()) {
  const both = [];
  const sqliteOnly = [];
  const undeclared = [];
  for (const path of testFiles(join(root, "test")).sort()) {
    const file = relative(root, path).split("\\").join("/");
    if (file.startsWith("test/chaos/")) continue;
    const text = readFileSync(path, "utf8");
    if (SQLITE_ONLY.test(text)) sqliteOnly.push(file);
    else if (HELPER.test(text) || /^test\/storage\/postgres-/.test(file)) both.push(file);
    else if (OWN_STORE.test(text)) undeclared.push(file);
  }
  return { both, sqliteOnly, undeclared };
}
