// Chaos on PostgreSQL: one ingest node and two worker nodes as separate processes, thousands of
// events, a worker killed with SIGKILL and started again, and the database restarted, all while
// events flow. The database is a throwaway server of the test's own (test/support/
// postgres-cluster.ts), so that its restart never disturbs the machine's shared server.
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import postgres from "postgres";
import { Agent } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TEST_POSTGRES_URL, tempDir } from "../support/app.js";
import { type Child, freePort, startChild, writeChildConfig } from "../support/child.js";
import { sendSignedEvent } from "../support/flood.js";
import {
  type PostgresCluster,
  postgresBinDir,
  serverStartTime,
  startPostgresCluster,
} from "../support/postgres-cluster.js";
import { Sink } from "../support/sink.js";

const SECRET = "chaos-secret";
const TOTAL = 4000;
const CONCURRENCY = 16;
const schema = `sy_chaos_${randomBytes(6).toString("hex")}`;
const temp = tempDir();
const children: Child[] = [];
// Without PostgreSQL's server programs the test cannot run; under CI=true that fails it.
const available = postgresBinDir() !== null || process.env.CI === "true";
let cluster: PostgresCluster | undefined;
let admin: postgres.Sql | undefined;

beforeAll(async () => {
  if (!available) return;
  cluster = await startPostgresCluster();
  admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
}, 120_000);

afterAll(async () => {
  for (const c of children) c.process.kill("SIGKILL");
  await Promise.all(children.map((c) => c.exited));
  await admin?.end({ timeout: 1 });
  await cluster?.stop();
  temp.cleanup();
});

async function start(configFile: string, role: "ingest" | "worker", port?: number): Promise<Child> {
  // An empty DATABASE_URL keeps the config's database (the throwaway server) whatever the environment says.
  const child = await startChild(configFile, port ?? (await freePort()), {
    args: ["--role", role],
    env: { DATABASE_URL: "" },
  });
  children.push(child);
  return child;
}

it.skipIf(!available)(
  "delivers every acknowledged event through a worker's kill -9 and a database restart",
  {
    timeout: 300_000,
  },
  async () => {
    const db = cluster as PostgresCluster;
    const sql = admin as postgres.Sql;
    // The machine's shared server, if one answers, must not notice any of this.
    const shared = await serverStartTime(TEST_POSTGRES_URL);
    const sink = await Sink.start();
    const configFile = writeChildConfig(join(temp.dir, "switchyard.yaml"), {
      databaseUrl: `${db.url}?schema=${schema}`,
      secret: SECRET,
      // A dead worker's deliveries come back when their leases end: the timeout plus 30 s.
      sink: {
        url: sink.url,
        settings:
          "timeout: 10s, maxConcurrency: 32, retry: { schedule: [0s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s] }",
      },
    });
    const ingest = await start(configFile, "ingest");
    const workerA = await start(configFile, "worker");
    await start(configFile, "worker");

    const acked = new Set<string>();
    let ackedAfterRestart = 0;
    let killed: Promise<void> | null = null;
    let restarted: Promise<void> | null = null;
    let restartDone = false;
    // The last third of the events waits for the database to be back, so some are always taken
    // after the restart however fast ingest is.
    let markBack = () => {};
    const backAfterRestart = new Promise<void>((resolve) => {
      markBack = resolve;
    });
    let next = 0;
    const agent = new Agent({ connections: CONCURRENCY });
    // Like Vercel, a sender tries an event again until it is acknowledged (a 503 while the
    // database restarts); repeats of an event that was stored are answered as duplicates.
    const sendUntilAcked = async (id: string) => {
      for (let attempt = 0; attempt < 500; attempt++) {
        try {
          if ((await sendSignedEvent(ingest.url, id, SECRET, agent)).status === 200) return true;
        } catch {
          // The connection failed: try again.
        }
        await delay(20);
      }
      return false;
    };
    const sender = async () => {
      while (next < TOTAL) {
        const n = next++;
        if (n >= (2 * TOTAL) / 3) await backAfterRestart;
        const id = `chaos-${n}`;
        if (!(await sendUntilAcked(id))) continue;
        acked.add(id);
        if (restartDone) ackedAfterRestart++;
        if (!killed && acked.size >= TOTAL / 8) {
          // A worker dies mid-delivery ...
          workerA.process.kill("SIGKILL");
          killed = workerA.exited.then(() => {});
        }
        if (!restarted && acked.size >= TOTAL / 3) {
          // ... the database restarts while the other worker delivers and ingest takes events ...
          restarted = db.restart().then(async () => {
            restartDone = true;
            markBack();
            // ... and the dead worker comes back.
            await killed;
            await start(configFile, "worker");
          });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    await restarted;
    await agent.close();

    const missing = new Set(acked);
    for (const r of sink.received) missing.delete(r.json.id as string);
    sink.on("request", (r) => missing.delete(r.json.id as string));
    while (missing.size > 0) await once(sink, "request");
    const pending = async () => {
      const [row] = await sql.unsafe(
        `SELECT count(*)::int AS n FROM "${schema}".deliveries WHERE status = 'pending'`,
      );
      return (row as unknown as { n: number }).n;
    };
    // Events stored but never acknowledged (the answer was lost in the restart) are delivered too.
    // Wait for the next request, or half a second at most, leaving no listener behind.
    while ((await pending()) > 0)
      await once(sink, "request", { signal: AbortSignal.timeout(500) }).catch(() => undefined);

    const ids = sink.received.map((r) => r.json.id as string);
    const duplicates = ids.length - new Set(ids).size;
    process.stdout.write(
      `chaos: ${acked.size} acknowledged (${ackedAfterRestart} after the database restart), ` +
        `${new Set(ids).size} delivered, ${duplicates} delivered twice, 0 pending\n`,
    );
    expect(acked.size).toBe(TOTAL);
    expect(ackedAfterRestart).toBeGreaterThan(0);
    expect([...missing]).toEqual([]);
    expect(await serverStartTime(TEST_POSTGRES_URL)).toBe(shared);
    await sink.close();
  },
);
