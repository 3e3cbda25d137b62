import { once } from "node:events";
import { UpdateDeploymentCheckRunRequestBody$outboundSchema } from "@vercel/sdk/models/updatedeploymentcheckrunop.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionRunner } from "../../src/actions/runner.js";
import type { FakeCheckRun } from "../../src/dev/fake-vercel-check-runs.js";
import { MAX_CONCLUSION_TEXT } from "../../src/integration/vercel-api.js";
import { api } from "../support/app.js";
import { CheckSite } from "../support/check-site.js";
import { type IntegrationApp, startIntegrationApp } from "../support/integration-app.js";
import { ManualRepeat } from "../support/lease-repeat.js";
import { post, vercelSignature } from "../support/send.js";
import { FakeClock } from "../support/sink.js";

// Checks v2 end to end, on a clock the test owns: Vercel makes a check run of a project check and
// sends deployment.checkrun.start; Switchyard reads the run's name, finds the configured check of
// that name, PATCHes running, requests the deployment (its URL read from Vercel) and PATCHes the
// conclusion with the reason. A repeated start, a cancel mid-request, a check not configured here,
// a 429 on a PATCH; every PATCH body checked against @vercel/sdk's schema.

const suffix = Math.random().toString(36).slice(2, 8);
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
        {
          name: "Smoke test",
          kind: "http",
          url: "http://{deployment.url}/health?d={deployment.id}",
          expect: { status: 200, bodyContains: "ok" },
        },
        { name: "Slow page", kind: "http", url: "http://{deployment.url}/hang", timeout: "10m" },
        { name: "Impatient", kind: "http", url: "http://{deployment.url}/hang/short", timeout: "300ms" },
      ],
    },
  });
  runner = t.app.actions as ActionRunner;
  const grant = t.vercel.makeCode("team_v2");
  const callback = await fetch(
    `${t.app.url}/integrations/vercel/callback?code=${grant.code}&configurationId=${grant.configurationId}&teamId=team_v2`,
  );
  expect(callback.status).toBe(200);
  installation = { id: grant.configurationId, teamId: "team_v2" };
}, 60_000);

afterAll(async () => {
  await site?.close();
  await t?.close();
});

/** A deployment of the installation's team whose URL is the local site, and a run of `check` on it. */
function checkRunOf(check: string): FakeCheckRun {
  const deployment = t.vercel.deployments.add(installation.teamId, { projectId: "prj_a" });
  deployment.url = site.host;
  return t.vercel.deployments.addCheckRun(deployment.id, { name: check, configurationId: installation.id });
}

let sequence = 0;
/** Sends Vercel's event about a check run, signed, as Vercel does. */
async function checkRunEvent(type: "start" | "cancel", run: FakeCheckRun) {
  const event = {
    id: `evt_v2_${suffix}_${++sequence}`,
    type: `deployment.checkrun.${type}`,
    createdAt: clock.now(),
    payload: {
      team: { id: installation.teamId },
      user: { id: t.vercel.userId },
      deployment: { id: run.deploymentId },
      project: { id: "prj_a" },
      checkRun: {
        id: run.id,
        checkId: run.checkId,
        source: { kind: "integration", integrationConfigurationId: installation.id },
        deploymentId: run.deploymentId,
        timeout: 600,
      },
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
  name: string | null;
  status: string;
  statusText: string | null;
  checkId: string | null;
  checkRunId: string | null;
  pending: string | null;
}

/** Waits until every check run of a deployment has nothing left to do, and gives them. */
async function settled(deploymentId: string): Promise<CheckJson[]> {
  for (;;) {
    const runs = (await api(t.app, `/api/v1/checks?deployment=${deploymentId}`)).body.data as CheckJson[];
    if (runs.length > 0 && runs.every((r) => r.pending === null)) return runs;
    await once(runner, "idle");
  }
}

/** The PATCHes Vercel accepted about a run, each checked against @vercel/sdk's request schema. */
function updatesOf(run: FakeCheckRun): Record<string, unknown>[] {
  const updates = t.vercel.deployments.checkRuns.updatesOf(run.id);
  for (const body of updates)
    expect(UpdateDeploymentCheckRunRequestBody$outboundSchema.parse(body)).toEqual(body);
  return updates;
}

/** Waits until Vercel has accepted `count` PATCHes about a run, and gives them. */
const updates = (run: FakeCheckRun, count: number) =>
  until(() => updatesOf(run).length >= count && updatesOf(run));

const pageOf = (id: string | undefined) => `${t.app.url}/integrations/vercel/checks/${id}`;

describe("checks v2", () => {
  it("a start reads the run's name, runs the check of that name, and reports running then succeeded", async () => {
    const run = checkRunOf("Smoke test");
    await checkRunEvent("start", run);
    const [shown] = await settled(run.deploymentId);
    expect(shown).toMatchObject({
      name: "Smoke test",
      status: "succeeded",
      checkId: run.checkId,
      checkRunId: run.id,
    });
    expect(shown?.statusText).toMatch(/^GET 127\.0\.0\.1:\d+\/health answered 200 in \d+ ms$/);
    expect(await updates(run, 2)).toEqual([
      { status: "running", externalUrl: pageOf(shown?.id) },
      {
        status: "completed",
        conclusion: "succeeded",
        conclusionText: shown?.statusText,
        externalUrl: pageOf(shown?.id),
      },
    ]);
    expect(t.vercel.deployments.checkRuns.runs.get(run.id)).toMatchObject({
      status: "completed",
      conclusion: "succeeded",
    });
    // The run's URL came from Vercel: the start event names only the deployment's id.
    const calls = t.vercel.apiRequests.filter((r) => r.path.includes(run.deploymentId));
    expect(calls.map((r) => `${r.method} ${r.path.split("/").slice(0, 3).join("/")}`)).toEqual([
      "GET /v2/deployments",
      "GET /v13/deployments",
      "PATCH /v2/deployments",
      "PATCH /v2/deployments",
    ]);
    const detail = await api(t.app, `/api/v1/checks/${shown?.id}`);
    expect((detail.body.steps as { text: string }[]).map((s) => s.text)).toContain(
      `Vercel's check "Smoke test"`,
    );
  });

  it("the same start twice makes one run and one pair of reports", async () => {
    const run = checkRunOf("Smoke test");
    await checkRunEvent("start", run);
    await checkRunEvent("start", run);
    const runs = await settled(run.deploymentId);
    expect(runs).toHaveLength(1);
    await updates(run, 2);
    await checkRunEvent("start", run);
    await settled(run.deploymentId);
    await once(runner, "idle");
    expect(updatesOf(run)).toHaveLength(2);
    expect(t.vercel.apiRequests.filter((r) => r.method === "GET" && r.path.includes(run.id))).toHaveLength(1);
  });

  it("a cancel mid-request stops the request, and the run concludes canceled", async () => {
    const run = checkRunOf("Slow page");
    const hang = site.nextHang();
    await checkRunEvent("start", run);
    const request = await hang;
    await updates(run, 1);
    await checkRunEvent("cancel", run);
    // The run's lease watch finds the cancel and stops the request; the cancel phase concludes it.
    await leases.tick();
    await request.closed;
    expect(request.abandoned).toBe(true);
    const [shown] = await settled(run.deploymentId);
    expect(shown).toMatchObject({ status: "canceled", statusText: "Vercel canceled the check run" });
    expect(await updates(run, 2)).toEqual([
      { status: "running", externalUrl: pageOf(shown?.id) },
      { status: "completed", conclusion: "canceled", externalUrl: pageOf(shown?.id) },
    ]);
  });

  it("a cancel before the start stands: nothing runs and nothing is reported", async () => {
    const run = checkRunOf("Smoke test");
    await checkRunEvent("cancel", run);
    await checkRunEvent("start", run);
    const runs = await settled(run.deploymentId);
    expect(runs).toMatchObject([{ status: "canceled", pending: null }]);
    await once(runner, "idle");
    expect(t.vercel.apiRequests.filter((r) => r.path.includes(run.deploymentId))).toEqual([]);
  });

  it("a check not configured here concludes failed, saying so", async () => {
    const run = checkRunOf("Lighthouse");
    await checkRunEvent("start", run);
    const [shown] = await settled(run.deploymentId);
    const why = 'The check "Lighthouse" is not configured on this server';
    expect(shown).toMatchObject({ name: "Lighthouse", status: "failed", statusText: why });
    expect(await updates(run, 1)).toEqual([
      { status: "completed", conclusion: "failed", conclusionText: why, externalUrl: pageOf(shown?.id) },
    ]);
  });

  it("a name past the text's bound is clipped in Vercel and whole on the run", async () => {
    const run = checkRunOf("x".repeat(400));
    await checkRunEvent("start", run);
    const [shown] = await settled(run.deploymentId);
    expect(shown?.statusText?.length).toBeGreaterThan(MAX_CONCLUSION_TEXT);
    const [concluded] = await updates(run, 1);
    expect(String(concluded?.conclusionText).length).toBe(MAX_CONCLUSION_TEXT);
  });

  it("a URL that does not answer in time concludes timeout", async () => {
    const run = checkRunOf("Impatient");
    await checkRunEvent("start", run);
    const [shown] = await settled(run.deploymentId);
    expect(shown).toMatchObject({ status: "failed" });
    expect(shown?.statusText).toMatch(/\/hang\/short did not answer within 300 ms$/);
    const [, concluded] = await updates(run, 2);
    expect(concluded).toMatchObject({ status: "completed", conclusion: "timeout" });
  });

  it("a PATCH answered 429 is sent again after Vercel's wait, and reported once", async () => {
    const run = checkRunOf("Smoke test");
    t.vercel.failNext({ status: 429, headers: { "retry-after": "1" }, on: "PATCH /v2/deployments/" });
    await checkRunEvent("start", run);
    const [shown] = await settled(run.deploymentId);
    // The running report waits for its retry; the conclusion waits behind it.
    const detail = async () =>
      (await api(t.app, `/api/v1/checks/${shown?.id}`)).body.reports as {
        state: string;
        attempts: { status: number }[];
      }[];
    await until(async () => (await detail())[0]?.attempts.length === 1);
    expect(updatesOf(run)).toEqual([]);
    clock.advance(2_000);
    runner.notify();
    const sent = await updates(run, 2);
    expect(sent.map((u) => u.status)).toEqual(["running", "completed"]);
    const reports = await detail();
    expect(reports.map((r) => r.attempts.map((a) => a.status))).toEqual([[429, 202], [202]]);
    await once(runner, "idle");
    expect(updatesOf(run)).toHaveLength(2);
  });
});
