// The throwaway PostgreSQL server of the tests that restart their database: its own port, folder
// and processes, restarted and removed without touching the machine's shared server.
import { existsSync } from "node:fs";
import postgres from "postgres";
import { afterAll, expect, it } from "vitest";
import { TEST_POSTGRES_URL } from "../support/app.js";
import {
  type PostgresCluster,
  postgresBinDir,
  serverStartTime,
  startPostgresCluster,
} from "../support/postgres-cluster.js";

const clusters: PostgresCluster[] = [];
afterAll(async () => {
  for (const c of clusters) await c.stop();
});

const available = postgresBinDir() !== null || process.env.CI === "true";

it.skipIf(!available)(
  "starts, restarts and removes its own server, leaving the shared one alone",
  {
    timeout: 120_000,
  },
  async () => {
    const shared = await serverStartTime(TEST_POSTGRES_URL);
    const cluster = await startPostgresCluster();
    clusters.push(cluster);
    expect(cluster.port).not.toBe(5432);
    expect(cluster.url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/test`);
    const first = await serverStartTime(cluster.url);
    expect(first).not.toBeNull();
    const pid = cluster.pid();

    await cluster.restart();
    expect(cluster.pid()).not.toBe(pid);
    const second = await serverStartTime(cluster.url);
    expect(second).not.toBe(first);
    expect(await serverStartTime(TEST_POSTGRES_URL)).toBe(shared);

    await cluster.stop();
    expect(existsSync(cluster.dir)).toBe(false);
    const gone = postgres(cluster.url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    await expect(gone`SELECT 1`).rejects.toThrow();
    await gone.end({ timeout: 1 });
    expect(await serverStartTime(TEST_POSTGRES_URL)).toBe(shared);
  },
);
