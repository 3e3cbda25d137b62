import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionRunner } from "../../src/actions/runner.js";
import type { RecordedRequest } from "../../src/dev/fake-vercel-types.js";
import { api } from "../support/app.js";
import { CheckSite } from "../support/check-site.js";
import { type IntegrationApp, startIntegrationApp } from "../support/integration-app.js";
import { ManualRepeat } from "../support/lease-repeat.js";
import { post, vercelSignature } from "../support/send.js";
import { FakeClock } from "../support/sink.js";

// Deployment checks across what goes wrong between Switchyard and Vercel, on a clock the test owns
// and lease watches it ticks: a check whose creation's answer was lost is found again rather than
// made twice; a request that outlasts the run's lease keeps the lease; a lost lease stops the
// request, and the run is done again by the runner that takes it, concluded once; a cancel stops a
// request under way.

const suffix = Math.random().toString(36).slice(2, 8);
const LEASE_MS = 60_000;
const clock = new FakeClock();
const leases = new ManualRepeat();
let t: IntegrationApp;
let runner: ActionRunner;
let site: CheckSite;
let installation: { id: string; teamId: string };

beforeAll(async () => {
  site = await CheckSite.start();
  t = await startIntegrationApp({
    clock,
    app: { actionLeaseRepeat: leases.repeat },
    overrides: {
      checks: [
        { name: "Smoke test", kind: "http", url: "http://{deployment.url}/health", targets: ["preview"] },
        {
          name: "Slow page",
          kind: "http",
          url: "http://{deployment.url}/hang",
          timeout: "10m",
          targets: ["production"],
        },
      ],
    },
  });
  runner = t.app.actions as ActionRunner;
  const grant = t.vercel.makeCode("team_dur");
  const callback = await fetch(
    `${t.app.url}/integrations/vercel/callback?code=${grant.code}&configurationId=${grant.configurationId}&teamId=team_dur`,
  );
  expect(callback.status).toBe(200);
  installation = { id: grant.configurationId, teamId: "team_dur" };
}, 60_000);

afterAll(async () => {
  await site?.close();
  await t?.close();
});

let sequence = 0;
/** Sends a signed deployment event of the installation's team about a deployment on the local site. */
async function deploymentEvent(type: string, deploymentId: string, target: "production" | null) {
  const event = {
    id: `evt_dur_${suffix}_${++sequence}`,
    type,
    createdAt: clock.now(),
    payload: {
      team: { id: installation.teamId },
      user: { id: t.vercel.userId },
      deployment: { id: deploymentId, url: site.host, name: "app" },
      project: { id: "prj_a" },
      target,
    },
  };
  const body = JSON.stringify(event);
  const response = await post(`${t.app.url}/integrations/vercel/webhook`, body, {
    "x-vercel-signature": vercelSignature(body, t.vercel.clientSecret),
  });
  expect(response.status).toBe(200);
}

/** Waits, on the runner's own events, until `get` gives something. */
async function until<T>(
  get: () => T | undefined | null | false | Promise<T | undefined | null | false>,
): Promise<T> {
  for (;;) {
    const value = await get();
    if (value) return value;
    await new Promise<void>((resolve) => {
      const done = () => {
        runner.off("report", done);
        runner.off("phase", done);
        runner.off("idle", done);
        resolve();
      };
      runner.on("report", done);
      runner.on("phase", done);
      runner.on("idle", done);
    });
  }
}

interface CheckJson {
  id: string;
  status: string;
  checkId: string | null;
  pending: string | null;
}

/** Waits until the one check run of a deployment has nothing left to do, and gives it. */
async function settled(deploymentId: string): Promise<CheckJson> {
  for (;;) {
    const runs = (await api(t.app, `/api/v1/checks?deployment=${deploymentId}`)).body.data as CheckJson[];
    if (runs.length === 1 && runs[0]?.pending === null) return runs[0];
    await once(runner, "idle");
  }
}

/** A run's steps, as its API shows them. */
const stepsOf = async (deploymentId: string) => {
  const [run] = (await api(t.app, `/api/v1/checks?deployment=${deploymentId}`)).body.data as CheckJson[];
  const detail = await api(t.app, `/api/v1/checks/${run?.id}`);
  return (detail.body.steps as { text: string }[] | undefined)?.map((s) => s.text) ?? [];
};

/** The v1 check API requests about a deployment, in order. */
const checkCalls = (deploymentId: string, method: string): RecordedRequest[] =>
  t.vercel.apiRequests.filter(
    (r) => r.method === method && r.path.startsWith(`/v1/deployments/${deploymentId}/checks`),
  );
const bodyOf = (r: RecordedRequest) => JSON.parse(r.body) as Record<string, unknown>;
const newDeployment = () => t.vercel.deployments.add(installation.teamId, { projectId: "prj_a" }).id;
const checksOf = (deploymentId: string) =>
  [...t.vercel.deployments.checks.values()].filter((c) => c.deploymentId === deploymentId);

describe("a check made in Vercel whose answer was lost", () => {
  it("is found again by the run's next try, not made twice", async () => {
    const deployment = newDeployment();
    t.vercel.failNext({ status: 500, on: "POST /v1/deployments/", afterDoing: true });
    await deploymentEvent("deployment.ready", deployment, null);
    await until(async () => (await stepsOf(deployment)).some((s) => s.startsWith("Vercel did not create")));
    expect(checksOf(deployment)).toHaveLength(1);

    clock.advance(30_000);
    runner.notify();
    const run = await settled(deployment);
    expect(run.status).toBe("succeeded");
    const [check, ...others] = checksOf(deployment);
    expect(others).toEqual([]);
    expect(run.checkId).toBe(check?.id);
    expect(checkCalls(deployment, "POST")).toHaveLength(1);
    expect(await stepsOf(deployment)).toContain("Found in Vercel");
    await until(() => check?.conclusion === "succeeded");
  });
});

describe("the lease of a check's run", () => {
  it("is kept while the request outlasts it, and the run ends once", async () => {
    const deployment = newDeployment();
    const hang = site.nextHang();
    await deploymentEvent("deployment.ready", deployment, "production");
    const request = await hang;
    // Past the lease twice over, renewed on the way: nobody else may take the run.
    for (let i = 0; i < 4; i++) {
      clock.advance(LEASE_MS / 2);
      await leases.tick();
    }
    expect(await t.app.store.actions.claimRuns("intruder", clock.now(), clock.now() + LEASE_MS, 10)).toEqual(
      [],
    );
    request.answer(200, "ok");
    expect(await settled(deployment)).toMatchObject({ status: "succeeded" });
    const [check] = checksOf(deployment);
    await until(() => check?.conclusion === "succeeded");
    expect(
      checkCalls(deployment, "PATCH")
        .map(bodyOf)
        .map((b) => b.status),
    ).toEqual(["running", "completed"]);
  });

  it("once lost, stops the request: the runner that takes the run does it again, concluded once", async () => {
    const deployment = newDeployment();
    const first = site.nextHang();
    await deploymentEvent("deployment.ready", deployment, "production");
    const abandoned = await first;
    // Another runner, whose clock is past the lease (this one's has not moved: it does not take the
    // run back itself meanwhile), takes the run; this one's watch finds the lease lost.
    const later = clock.now() + LEASE_MS + 1;
    const taken = await t.app.store.actions.claimRuns("intruder", later, later + LEASE_MS, 10);
    expect(taken.map((r) => r.deploymentId)).toEqual([deployment]);
    await leases.tick();
    await abandoned.closed;
    expect(abandoned.abandoned).toBe(true);
    // That runner dies in its turn; its lease runs out and this one takes the run again.
    const second = site.nextHang();
    clock.set(later + LEASE_MS + 1);
    runner.notify();
    (await second).answer(200, "ok");
    expect(await settled(deployment)).toMatchObject({ status: "succeeded" });
    const [check] = checksOf(deployment);
    await until(() => check?.conclusion === "succeeded");
    const sent = checkCalls(deployment, "PATCH").map(bodyOf);
    expect(sent.filter((b) => b.status === "completed")).toHaveLength(1);
    expect(checkCalls(deployment, "POST")).toHaveLength(1);
  });

  it("run out before it was renewed, is taken back by its runner without starting the run twice", async () => {
    const deployment = newDeployment();
    const hang = site.nextHang();
    await deploymentEvent("deployment.ready", deployment, "production");
    const request = await hang;
    // The process stalled past the lease: its own loop finds the run due and claims it.
    clock.advance(LEASE_MS + 1);
    for (let i = 0; i < 2; i++) {
      const idle = once(runner, "idle");
      runner.notify();
      await idle;
    }
    expect(leases.watching).toBe(1);
    await leases.tick();
    request.answer(200, "ok");
    expect(await settled(deployment)).toMatchObject({ status: "succeeded" });
    const [check] = checksOf(deployment);
    await until(() => check?.conclusion === "succeeded");
    expect(
      checkCalls(deployment, "PATCH")
        .map(bodyOf)
        .map((b) => b.status),
    ).toEqual(["running", "completed"]);
  });

  it("a cancel asked meanwhile stops the request and concludes the check canceled", async () => {
    const deployment = newDeployment();
    const hang = site.nextHang();
    await deploymentEvent("deployment.ready", deployment, "production");
    const request = await hang;
    await deploymentEvent("deployment.canceled", deployment, "production");
    await leases.tick();
    await request.closed;
    expect(request.abandoned).toBe(true);
    expect(await settled(deployment)).toMatchObject({ status: "canceled" });
    const [check] = checksOf(deployment);
    await until(() => check?.conclusion === "canceled");
    expect(
      checkCalls(deployment, "PATCH")
        .map(bodyOf)
        .map((b) => b.conclusion ?? b.status),
    ).toEqual(["running", "canceled"]);
  });
});
