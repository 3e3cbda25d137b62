// A node started while its database cannot be reached waits for it instead of exiting.
import { EventEmitter, once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { dropSchema, TEST_POSTGRES_URL, tempDir } from "../support/app.js";
import { type Child, freePort, runCli, startChild, writeChildConfig } from "../support/child.js";

const temp = tempDir();
const schema = `sy_test_startup_${Math.random().toString(16).slice(2, 10)}`;
const children: Child[] = [];
const sockets = new Set<Socket>();
const lines = new EventEmitter<{ line: [string] }>();
// The "database" comes up when this proxy to the real server starts listening.
const proxy = createServer((client) => {
  const target = new URL(TEST_POSTGRES_URL);
  const server = connect(Number(target.port || 5432), target.hostname);
  for (const s of [client, server]) {
    sockets.add(s);
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
  }
  client.pipe(server).pipe(client);
});

afterAll(async () => {
  for (const c of children) c.process.kill("SIGKILL");
  for (const s of sockets) s.destroy();
  proxy.close();
  await dropSchema(schema);
  temp.cleanup();
});

it("waits at start-up while the database cannot be reached, and starts once it answers", async () => {
  const dbPort = await freePort();
  const url = new URL(TEST_POSTGRES_URL);
  url.port = String(dbPort);
  url.searchParams.set("schema", schema);
  const configFile = writeChildConfig(join(temp.dir, "switchyard.yaml"), {
    databaseUrl: url.toString(),
    secret: "s",
  });
  const waiting = new Promise<void>((resolve) =>
    lines.on("line", (line) => line.includes("database unavailable at start-up") && resolve()),
  );
  const starting = startChild(configFile, await freePort(), {
    args: ["--role", "ingest"],
    onLine: (line) => lines.emit("line", line),
  });
  void starting.then((c) => children.push(c));
  // Nothing listens on the database port: the node says it waits; then the database comes up.
  await waiting;
  proxy.listen(dbPort, "127.0.0.1");
  await once(proxy, "listening");
  const child = await starting;
  expect(child.stdout()).toContain("database unavailable at start-up, trying again");
  const ready = await fetch(`${child.url}/readyz`);
  expect(ready.status).toBe(200);
});

it("fails at once with --wait-for-database 0, and refuses a value that is not a duration", async () => {
  const url = new URL(TEST_POSTGRES_URL);
  url.port = String(await freePort());
  const configFile = writeChildConfig(join(temp.dir, "unreachable.yaml"), {
    databaseUrl: url.toString(),
    secret: "s",
  });
  const now = await runCli(["serve", "--config", configFile, "--port", "0", "--wait-for-database", "0"]);
  expect(now.code).toBe(1);
  expect(now.stderr).toMatch(/PostgreSQL \w+ failed: .*ECONNREFUSED/);
  const bad = await runCli(["serve", "--config", configFile, "--wait-for-database", "soon"]);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/expected a duration such as 30s or 2m, or 0/);
});
