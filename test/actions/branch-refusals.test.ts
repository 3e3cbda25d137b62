import { once } from "node:events";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { branchName } from "../../src/actions/branch-name.js";
import type { ActionRunner } from "../../src/actions/runner.js";
import { api, TEST_POSTGRES_URL } from "../support/app.js";
import { untilBranchWaits } from "../support/branch-lock.js";
import { type IntegrationApp, startIntegrationApp } from "../support/integration-app.js";
import { post, vercelSignature } from "../support/send.js";

// What Vercel is told when a branch cannot be made, end to end on a real PostgreSQL: a template
// someone is connected to, a database of the branch's name that is not Switchyard's, and an admin
// role without the rights. Each is reported `failed` with words a person can act on, never the
// admin URL, and leaves nothing behind. And a branch canceled while it is being made: nothing is
// left, and it is never reported succeeded.

const suffix = Math.random().toString(36).slice(2, 8);
const TEMPLATE = `sy_tpl_refuse_${suffix}`;
const WEAK = `sy_weak_${suffix}`;
const admin = postgres(TEST_POSTGRES_URL, { max: 2, onnotice: () => {} });
const weakUrl = (() => {
  const url = new URL(TEST_POSTGRES_URL);
  url.username = WEAK;
  url.password = "";
  return url.toString();
})();
let t: IntegrationApp;
let installation: { id: string; teamId: string };
const strangers: string[] = [];

beforeAll(async () => {
  await admin.unsafe(`CREATE DATABASE ${TEMPLATE}`);
  // A login role with no right to make databases or roles.
  await admin.unsafe(`CREATE ROLE ${WEAK} LOGIN`);
  t = await startIntegrationApp({
    overrides: {
      actions: [
        { slug: "branch", kind: "postgres-branch", postgres: { url: TEST_POSTGRES_URL, template: TEMPLATE } },
        { slug: "weak", kind: "postgres-branch", postgres: { url: weakUrl, template: TEMPLATE } },
      ],
    },
  });
  const grant = t.vercel.makeCode("team_brefuse");
  const callback = await fetch(
    `${t.app.url}/integrations/vercel/callback?code=${grant.code}&configurationId=${grant.configurationId}`,
  );
  expect(callback.status).toBe(200);
  installation = { id: grant.configurationId, teamId: "team_brefuse" };
}, 60_000);

afterAll(async () => {
  await t?.close();
  for (const name of strangers) await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.unsafe(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  await admin.unsafe(`DROP ROLE IF EXISTS ${WEAK}`);
  await admin.end();
});

const runner = () => t.app.actions as ActionRunner;

let sequence = 0;
/** Starts `action` for a new deployment of `gitRef`; resolves with Vercel's updates once it ended, and the branch's name. */
async function start(action: string, gitRef: string) {
  const deployment = t.vercel.deployments.add(installation.teamId, { projectId: "prj_r", gitRef }).id;
  await send("start", deployment, action);
  const ended = () => t.vercel.deployments.updatesOf(deployment, action).some((u) => u.status !== "running");
  while (!ended()) await once(runner(), "report");
  const name = branchName({ deploymentId: deployment, gitRef, installationId: installation.id }, "git-ref");
  return { updates: t.vercel.deployments.updatesOf(deployment, action), name };
}

/** Sends a signed action event of the installation. */
async function send(phase: "start" | "cancel" | "cleanup", deployment: string, action: string) {
  const body = JSON.stringify({
    id: `evt_brefuse_${suffix}_${++sequence}`,
    type: `deployment.integration.action.${phase}`,
    createdAt: Date.now(),
    payload: {
      installationId: installation.id,
      configuration: { id: installation.id },
      team: { id: installation.teamId },
      user: { id: t.vercel.userId },
      action,
      resourceId: "store_1",
      deployment: { id: deployment },
    },
  });
  const answer = await post(`${t.app.url}/integrations/vercel/webhook`, body, {
    "x-vercel-signature": vercelSignature(body, t.vercel.clientSecret),
  });
  expect(answer.status).toBe(200);
}

/** The deployment's run once `until` holds for it. */
async function runOf(
  deployment: string,
  until: (run: { status: string; pending: string | null }) => boolean,
) {
  for (;;) {
    const [run] = (await api(t.app, `/api/v1/actions?deployment=${deployment}`)).body.data as {
      status: string;
      pending: string | null;
    }[];
    if (run && until(run)) return run;
    // "idle" follows every pass without work: a change between the read and the wait is read next round.
    await Promise.race([once(runner(), "phase"), once(runner(), "idle")]);
  }
}

const exists = async (name: string) => ({
  database: (await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`).length > 0,
  role: (await admin`SELECT 1 FROM pg_roles WHERE rolname = ${name}`).length > 0,
});

describe("a branch that cannot be made", () => {
  it("template busy: says the template is in use and to close its connections", async () => {
    const session = postgres(TEST_POSTGRES_URL.replace(/\/[^/]*$/, `/${TEMPLATE}`), {
      max: 1,
      onnotice: () => {},
    });
    await session`SELECT 1`;
    try {
      const { updates, name } = await start("branch", "feature/busy");
      expect(updates.map((u) => u.status)).toEqual(["running", "failed"]);
      expect(updates[1]?.statusText).toBe(
        `The template database "${TEMPLATE}" is in use: close every connection to it, then retry.`,
      );
      expect(await exists(name)).toEqual({ database: false, role: false });
    } finally {
      await session.end();
    }
  }, 60_000);

  it("name clash: a database of the branch's name that is not Switchyard's is named and left untouched", async () => {
    const deploymentRef = "feature/taken";
    // Following a git ref, the branch's name comes from the installation and the ref alone.
    const probe = branchName(
      { deploymentId: "x", gitRef: deploymentRef, installationId: installation.id },
      "git-ref",
    );
    strangers.push(probe);
    await admin.unsafe(`CREATE DATABASE "${probe}"`);
    const { updates, name } = await start("branch", deploymentRef);
    expect(name).toBe(probe);
    expect(updates.map((u) => u.status)).toEqual(["running", "failed"]);
    expect(String(updates[1]?.statusText)).toMatch(new RegExp(`A database "${name}" exists that is not`));
    // Still there, still not Switchyard's; no role was made beside it.
    expect(await exists(name)).toEqual({ database: true, role: false });
  });

  it("permission denied: names the right the admin role lacks, never its URL", async () => {
    const { updates, name } = await start("weak", "feature/weak");
    expect(updates.map((u) => u.status)).toEqual(["running", "failed"]);
    const text = String(updates[1]?.statusText);
    expect(text).toBe(`The admin role "${WEAK}" may not create roles: grant it CREATEROLE.`);
    expect(text).not.toContain("postgres://");
    expect(await exists(name)).toEqual({ database: false, role: false });
  });
});

describe("a branch canceled while it is being made", () => {
  it("stops, leaves nothing, is never reported succeeded; a cleanup after it is a no-op", async () => {
    const gitRef = "feature/canceled";
    const deployment = t.vercel.deployments.add(installation.teamId, { projectId: "prj_r", gitRef }).id;
    const name = branchName({ deploymentId: deployment, gitRef, installationId: installation.id }, "git-ref");
    // Hold the branch's lock: the action starts, reports running, and waits for it on the server.
    const lock = await admin.reserve();
    const key = `switchyard branch ${name}`;
    await lock`SELECT pg_advisory_lock(hashtextextended(${key}, 0))`;
    try {
      await send("start", deployment, "branch");
      await untilBranchWaits(admin);
      await send("cancel", deployment, "branch");
      const run = await runOf(deployment, (r) => r.status === "canceled");
      expect(run.pending).toBeNull();
    } finally {
      await lock`SELECT pg_advisory_unlock(hashtextextended(${key}, 0))`;
      lock.release();
    }
    expect(await exists(name)).toEqual({ database: false, role: false });
    expect(t.vercel.deployments.updatesOf(deployment, "branch").map((u) => u.status)).not.toContain(
      "succeeded",
    );

    await send("cleanup", deployment, "branch");
    const cleaned = await runOf(deployment, (r) => r.status === "cleaned" && r.pending === null);
    expect(cleaned.status).toBe("cleaned");
    expect(await exists(name)).toEqual({ database: false, role: false });
  });
});
