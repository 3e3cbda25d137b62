// Runs on SQLite only: it kills a running process with SIGKILL and starts another on the SQLite file it left.
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { branchName } from "../../src/actions/branch-name.js";
import { ADMIN_TOKEN, TEST_POSTGRES_URL, tempDir } from "../support/app.js";
import { untilBranchWaits } from "../support/branch-lock.js";
import { type Child, freePort, startChild } from "../support/child.js";
import { FakeVercel } from "../support/fake-vercel.js";
import { post, vercelSignature } from "../support/send.js";

// A deployment integration action killed mid-way (kill -9 while it makes the branch database) is
// finished exactly once by the next process on the same file: one database, one `succeeded`
// report, whose URL connects. The test holds the branch name's advisory lock (the one two
// deployments of a ref share), so the killed process is provably inside the action: it has
// reported `running` and waits on PostgreSQL for the lock.

const suffix = randomBytes(4).toString("hex");
const TEMPLATE = `sy_tpl_crash_${suffix}`;
const admin = postgres(TEST_POSTGRES_URL, { max: 2, onnotice: () => {} });
const temp = tempDir();
let vercel: FakeVercel;

beforeAll(async () => {
  await admin.unsafe(`CREATE DATABASE ${TEMPLATE}`);
  const tpl = postgres(TEST_POSTGRES_URL.replace(/\/[^/]*$/, `/${TEMPLATE}`), { max: 1, onnotice: () => {} });
  await tpl`CREATE TABLE items (id int primary key, name text)`;
  await tpl`INSERT INTO items VALUES (1, 'from the template')`;
  await tpl.end();
}, 60_000);

let branch = "";
afterAll(async () => {
  await vercel?.close();
  if (branch !== "") {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${branch}" WITH (FORCE)`);
    await admin.unsafe(`DROP ROLE IF EXISTS "${branch}"`);
  }
  await admin.unsafe(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  await admin.end();
  temp.cleanup();
});

/** Resolves once `test` holds for the fake's recorded action updates, checking after each answer. */
async function untilUpdates(
  deploymentId: string,
  test: (updates: Record<string, unknown>[]) => boolean,
): Promise<Record<string, unknown>[]> {
  for (;;) {
    const updates = vercel.deployments.updatesOf(deploymentId, "branch");
    if (test(updates)) return updates;
    await once(vercel, "answered");
  }
}

it("finishes an action killed mid-way exactly once after a restart", { timeout: 120_000 }, async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  vercel = await FakeVercel.start({
    slug: "switchyard",
    redirectUri: `${publicUrl}/integrations/vercel/callback`,
  });
  const configFile = join(temp.dir, "switchyard.yaml");
  // JSON is YAML.
  const config = {
    database: { url: `sqlite:${join(temp.dir, "switchyard.db")}` },
    adminToken: ADMIN_TOKEN,
    encryptionKey: randomBytes(32).toString("base64"),
    log: { level: "info" },
    server: { host: "127.0.0.1" },
    delivery: { allowPrivateNetworks: true },
    integration: {
      slug: "switchyard",
      clientId: vercel.clientId,
      clientSecret: vercel.clientSecret,
      publicUrl,
      vercel: { apiUrl: vercel.apiUrl, siteUrl: vercel.siteUrl },
    },
    actions: [
      { slug: "branch", kind: "postgres-branch", postgres: { url: TEST_POSTGRES_URL, template: TEMPLATE } },
    ],
  };
  writeFileSync(configFile, JSON.stringify(config));

  let child: Child = await startChild(configFile, port);
  const grant = vercel.makeCode("team_crash");
  const callback = await fetch(
    `${publicUrl}/integrations/vercel/callback?code=${grant.code}&configurationId=${grant.configurationId}&teamId=team_crash`,
  );
  expect(callback.status).toBe(200);
  const deployment = vercel.deployments.add("team_crash", {
    projectId: "prj_crash",
    gitRef: "feature/crash",
  });
  branch = branchName(
    { deploymentId: deployment.id, gitRef: "feature/crash", installationId: grant.configurationId },
    "git-ref",
  );

  // Hold the branch's lock: the action will start, report running, and wait for it.
  const lock = await admin.reserve();
  const key = `switchyard branch ${branch}`;
  await lock`SELECT pg_advisory_lock(hashtextextended(${key}, 0))`;
  const event = JSON.stringify({
    id: `evt_crash_${suffix}`,
    type: "deployment.integration.action.start",
    createdAt: Date.now(),
    payload: {
      installationId: grant.configurationId,
      configuration: { id: grant.configurationId },
      team: { id: "team_crash" },
      user: { id: vercel.userId },
      action: "branch",
      resourceId: "store_1",
      deployment: { id: deployment.id },
    },
  });
  const sent = await post(`${publicUrl}/integrations/vercel/webhook`, event, {
    "x-vercel-signature": vercelSignature(event, vercel.clientSecret),
  });
  expect(sent.status).toBe(200);
  await untilUpdates(deployment.id, (u) => u.some((x) => x.status === "running"));
  // Waiting on the lock: a session of the child's asks for it and has not got it.
  await untilBranchWaits(admin);

  child.process.kill("SIGKILL");
  expect(await child.exited).toBe("SIGKILL");
  await lock`SELECT pg_advisory_unlock(hashtextextended(${key}, 0))`;
  lock.release();

  // The next process on the same file takes the run over at once and finishes it.
  child = await startChild(configFile, port);
  const updates = await untilUpdates(deployment.id, (u) => u.some((x) => x.status !== "running"));
  const ends = updates.filter((u) => u.status !== "running");
  expect(ends).toHaveLength(1);
  expect(ends[0]).toMatchObject({ status: "succeeded" });
  const outcome = ((ends[0]?.outcomes ?? []) as { secrets: { name: string; value: string }[] }[])[0];
  const url = outcome?.secrets.find((s) => s.name === "DATABASE_URL")?.value ?? "";
  const db = postgres(url, { max: 1, onnotice: () => {} });
  expect(await db`SELECT name FROM items`).toEqual([{ name: "from the template" }]);
  await db.end();
  expect(
    await admin`SELECT datname FROM pg_database WHERE datname LIKE ${`${branch.slice(0, 20)}%`}`,
  ).toEqual([{ datname: branch }]);

  // One run, ended; its report queue drained; nothing more to do.
  const listed = await fetch(`${publicUrl}/api/v1/actions?deployment=${deployment.id}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  const runs = ((await listed.json()) as { data: { id: string; status: string; pending: string | null }[] })
    .data;
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ status: "succeeded", pending: null });

  child.process.kill("SIGTERM");
  expect(await child.exited).toBe(0);
  // Nothing was reported after the end: the stopped process sent what it had queued, once.
  expect(
    vercel.deployments.updatesOf(deployment.id, "branch").filter((u) => u.status !== "running"),
  ).toHaveLength(1);
});
