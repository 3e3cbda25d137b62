import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionRunner } from "../../src/actions/runner.js";
import { api, TEST_POSTGRES_URL } from "../support/app.js";
import { type IntegrationApp, startIntegrationApp } from "../support/integration-app.js";
import { post, vercelSignature } from "../support/send.js";

// Deployment actions that cannot run, or must stop: an unknown installation, a template that does
// not exist, a cancel while the action is working, and a server stopped mid-action.

let t: IntegrationApp;
let hook: Server;
let hookUrl: string;
/** Requests the hook holds open until a test answers them. */
const held: ServerResponse[] = [];
let heldSignal: (() => void) | null = null;
let installation: { id: string; teamId: string };

beforeAll(async () => {
  hook = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on("end", () => {
      held.push(res);
      heldSignal?.();
    });
  });
  hook.listen(0, "127.0.0.1");
  await once(hook, "listening");
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/slow`;
  t = await startIntegrationApp({
    overrides: {
      actions: [
        {
          slug: "branch",
          kind: "postgres-branch",
          postgres: { url: TEST_POSTGRES_URL, template: "sy_no_such_template" },
        },
        { slug: "slow", kind: "http", url: hookUrl, timeout: "30s" },
      ],
    },
  });
  const grant = t.vercel.makeCode("team_refuse");
  const callback = await fetch(
    `${t.app.url}/integrations/vercel/callback?code=${grant.code}&configurationId=${grant.configurationId}`,
  );
  expect(callback.status).toBe(200);
  installation = { id: grant.configurationId, teamId: "team_refuse" };
});

afterAll(async () => {
  for (const res of held) res.destroy();
  hook?.closeAllConnections();
  hook?.close();
  await t?.close();
});

const runner = () => t.app.actions as ActionRunner;

let sequence = 0;
function actionEvent(
  phase: "start" | "cancel",
  deploymentId: string,
  action: string,
  installationId = installation.id,
) {
  const body = JSON.stringify({
    id: `evt_refuse_${++sequence}_${Date.now()}`,
    type: `deployment.integration.action.${phase}`,
    createdAt: Date.now(),
    payload: {
      installationId,
      configuration: { id: installationId },
      team: { id: installationId === installation.id ? installation.teamId : "team_nobody" },
      user: { id: t.vercel.userId },
      action,
      resourceId: "store_1",
      deployment: { id: deploymentId },
    },
  });
  return post(`${t.app.url}/integrations/vercel/webhook`, body, {
    "x-vercel-signature": vercelSignature(body, t.vercel.clientSecret),
  });
}

async function updates(deploymentId: string, action: string, count: number) {
  while (t.vercel.deployments.updatesOf(deploymentId, action).length < count) await once(runner(), "report");
  return t.vercel.deployments.updatesOf(deploymentId, action);
}

async function runOf(
  deploymentId: string,
  until: (run: { status: string; pending: string | null }) => boolean,
) {
  for (;;) {
    const [run] = (await api(t.app, `/api/v1/actions?deployment=${deploymentId}`)).body.data as {
      id: string;
      status: string;
      pending: string | null;
    }[];
    if (run && until(run)) return run;
    // A phase may end between the read above and this wait: "idle" comes after every pass
    // without work, so a change the read missed is read on the next round.
    await Promise.race([once(runner(), "phase"), once(runner(), "idle")]);
  }
}

describe("deployment actions that cannot run", () => {
  it("keeps an event of an unknown installation apart: no run, nothing reported", async () => {
    const deployment = t.vercel.deployments.add(installation.teamId, { projectId: "prj_a" }).id;
    const answer = await actionEvent("start", deployment, "slow", "icfg_unknown000");
    expect(answer.status).toBe(200);
    const runs = await api(t.app, `/api/v1/actions?deployment=${deployment}`);
    expect(runs.body.data).toEqual([]);
    const unclaimed = await api(t.app, "/api/v1/events?tenant=unclaimed");
    expect(
      (unclaimed.body.data as { type: string }[]).some(
        (e) => e.type === "deployment.integration.action.start",
      ),
    ).toBe(true);
  });

  it("reports a template that does not exist as failed, in words a person can act on", async () => {
    const deployment = t.vercel.deployments.add(installation.teamId, {
      projectId: "prj_a",
      gitRef: "main",
    }).id;
    await actionEvent("start", deployment, "branch");
    const [running, failed] = await updates(deployment, "branch", 2);
    expect(running).toMatchObject({ status: "running" });
    expect(failed?.status).toBe("failed");
    expect(String(failed?.statusText)).toContain("sy_no_such_template");
    expect(String(failed?.statusText)).not.toContain("postgres://");
  });
});

describe("stopping a running action", () => {
  it("stops on cancel, and never reports it succeeded", async () => {
    const deployment = t.vercel.deployments.add(installation.teamId, { projectId: "prj_a" }).id;
    const arrived = new Promise<void>((resolve) => {
      heldSignal = resolve;
    });
    await actionEvent("start", deployment, "slow");
    await arrived;
    await actionEvent("cancel", deployment, "slow");
    const run = await runOf(deployment, (r) => r.status === "canceled");
    expect(run.pending).toBeNull();
    // The held request is answered too late: its answer changes nothing.
    held.shift()?.writeHead(200, { "content-type": "application/json" }).end('{"status":"succeeded"}');
    const reported = t.vercel.deployments.updatesOf(deployment, "slow").map((u) => u.status);
    expect(reported).not.toContain("succeeded");
  });
});

describe("a server stopped mid-action", () => {
  it("takes the run again after a restart and reports it succeeded once", async () => {
    const deployment = t.vercel.deployments.add(installation.teamId, { projectId: "prj_a" }).id;
    const arrived = new Promise<void>((resolve) => {
      heldSignal = resolve;
    });
    await actionEvent("start", deployment, "slow");
    await arrived;
    const again = new Promise<void>((resolve) => {
      heldSignal = resolve;
    });
    t.app = await t.app.restart();
    await again;
    held.pop()?.writeHead(200, { "content-type": "application/json" }).end('{"status":"succeeded"}');
    const run = await runOf(deployment, (r) => r.status === "succeeded");
    await updates(deployment, "slow", 2);
    for (;;) {
      const shown = await api(t.app, `/api/v1/actions/${run.id}`);
      const states = (shown.body.reports as { state: string }[]).map((r) => r.state);
      if (states.every((s) => s !== "pending")) break;
      await once(runner(), "report");
    }
    const reported = t.vercel.deployments.updatesOf(deployment, "slow").map((u) => u.status);
    expect(reported.filter((s) => s === "succeeded")).toHaveLength(1);
    expect(reported.at(-1)).toBe("succeeded");
  });
});
