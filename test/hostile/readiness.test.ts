// /readyz must say whether the store can commit: a load balancer that keeps sending to a node
// whose disk is full, or whose database it cannot reach, has every event refused there.
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import {
  schemaFor,
  startTestApp,
  TEST_POSTGRES_URL,
  TEST_STORE,
  tempDir,
  VERCEL_SECRETS,
} from "../support/app.js";
import { freePort, startChild, writeChildConfig } from "../support/child.js";
import { sendVercel } from "../support/send.js";

const SECRET = "readiness-secret";

async function readyz(url: string) {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * Sets the largest file process `pid` may write (RLIMIT_FSIZE, its soft limit): at 0, every write
 * to a file fails as on a full disk, for that process alone. Returns the limit it had.
 */
function limitFileSize(pid: number, soft: string): string {
  const before = execFileSync("prlimit", [
    "--pid",
    String(pid),
    "--fsize",
    "--output",
    "SOFT",
    "--noheadings",
  ])
    .toString()
    .trim();
  execFileSync("prlimit", ["--pid", String(pid), `--fsize=${soft}:`]);
  return before;
}

describe.runIf(TEST_STORE === "sqlite")("readiness on SQLite", () => {
  it("answers 503 with the reason while the disk takes no writes, and 200 once it does again", async () => {
    const temp = tempDir();
    const db = join(temp.dir, "switchyard.db");
    const config = writeChildConfig(join(temp.dir, "switchyard.yaml"), {
      databaseUrl: `sqlite:${db}`,
      secret: SECRET,
    });
    const child = await startChild(config, await freePort());
    try {
      const pid = child.process.pid as number;
      expect((await readyz(child.url)).status).toBe(200);
      expect((await sendVercel(child.url, sampleEvent("deployment.created"), SECRET)).status).toBe(200);

      // No write to any file of the process goes through: SQLite's commit fails with an I/O error.
      const before = limitFileSize(pid, "0");
      const refused = await sendVercel(child.url, sampleEvent("deployment.created"), SECRET);
      expect(refused.status).toBe(503);
      const down = await readyz(child.url);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ ok: false, code: "unavailable", store: "sqlite" });
      expect(down.body.reason).toMatch(/^the last commit failed: SQLITE_(IOERR|FULL)/);
      expect(JSON.stringify(down.body)).not.toContain(temp.dir);
      // Each look tries a probe write, which fails as long as the disk takes nothing.
      expect((await readyz(child.url)).status).toBe(503);

      limitFileSize(pid, before);
      expect(await readyz(child.url)).toMatchObject({ status: 200, body: { ok: true } });
      const event = sampleEvent("deployment.created");
      expect((await sendVercel(child.url, event, SECRET)).body).toMatchObject({ ok: true, duplicate: false });
    } finally {
      child.process.kill("SIGTERM");
      await child.exited;
      temp.cleanup();
    }
  });
});

/** A TCP proxy to the test PostgreSQL server that the test can cut and restore. */
async function startProxy(target: URL) {
  const sockets = new Set<Socket>();
  let cut = false;
  const server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(a);
      a.on("close", () => {
        sockets.delete(a);
        b.destroy();
      });
      a.on("error", () => b.destroy());
      a.pipe(b);
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return {
    port,
    /** Drops every connection and refuses new ones, as a database host that went away. */
    cut() {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      cut = false;
    },
    async close() {
      this.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.runIf(TEST_STORE === "postgres")("readiness on PostgreSQL", () => {
  it("answers 503 with the reason while the database cannot be reached, and 200 once a commit succeeds", async () => {
    const target = new URL(TEST_POSTGRES_URL);
    const proxy = await startProxy(target);
    const temp = tempDir();
    const through = new URL(TEST_POSTGRES_URL);
    through.hostname = "127.0.0.1";
    through.port = String(proxy.port);
    through.searchParams.set("schema", schemaFor(temp.dir));
    const app = await startTestApp({ database: { url: through.toString() } }, { dir: temp.dir });
    try {
      expect((await readyz(app.url)).status).toBe(200);

      proxy.cut();
      const refused = await sendVercel(
        app.url,
        sampleEvent("deployment.created"),
        VERCEL_SECRETS[0] as string,
      );
      expect(refused.status).toBe(503);
      const down = await readyz(app.url);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ ok: false, code: "unavailable", store: "postgres" });
      expect(down.body.reason).toMatch(/^PostgreSQL \w+ failed: [A-Z0-9_]+$|^the last commit failed: /);
      expect(JSON.stringify(down.body)).not.toContain(String(proxy.port));

      proxy.restore();
      // The failed commit is remembered: ready again once the probe write commits.
      expect(await readyz(app.url)).toMatchObject({ status: 200, body: { ok: true } });
    } finally {
      await app.stop();
      await proxy.close();
      temp.cleanup();
    }
  });
});
