import { CreateCheckRequestBody$outboundSchema } from "@vercel/sdk/models/createcheckop.js";
import { GetAllChecksResponseBody$inboundSchema } from "@vercel/sdk/models/getallchecksop.js";
import { GetDeploymentCheckRunResponseBody1$inboundSchema } from "@vercel/sdk/models/getdeploymentcheckrunop.js";
import { GetDeploymentResponseBody$inboundSchema } from "@vercel/sdk/models/getdeploymentresponsebody.js";
import { UpdateCheckRequestBody$outboundSchema } from "@vercel/sdk/models/updatecheckop.js";
import {
  UpdateDeploymentCheckRunRequestBody$outboundSchema,
  UpdateDeploymentCheckRunResponseBody1$inboundSchema,
} from "@vercel/sdk/models/updatedeploymentcheckrunop.js";
import { UpdateIntegrationDeploymentActionRequestBody$outboundSchema } from "@vercel/sdk/models/updateintegrationdeploymentactionop.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VercelApi, VercelApiError } from "../../src/integration/vercel-api.js";
import { FakeVercel, type Grant } from "../support/fake-vercel.js";

// The client's calls about deployments (read one, report an action, checks) against the fake
// Vercel, every request body and answer checked against @vercel/sdk's schemas.

let vercel: FakeVercel;
let api: VercelApi;
let grant: Grant;
let token: string;

beforeAll(async () => {
  vercel = await FakeVercel.start({ redirectUri: "https://relay.example.com/integrations/vercel/callback" });
  api = new VercelApi({ apiUrl: vercel.apiUrl });
  grant = vercel.makeCode("team_dep");
  token = (
    await api.exchangeCode({
      clientId: vercel.clientId,
      clientSecret: vercel.clientSecret,
      code: grant.code,
      redirectUri: vercel.redirectUri,
    })
  ).accessToken;
});
afterAll(() => vercel.close());

const lastApiRequest = () => vercel.apiRequests.at(-1);

describe("deployments", () => {
  it("reads a deployment's git ref in the team's scope, an answer @vercel/sdk accepts", async () => {
    const made = vercel.deployments.add("team_dep", { projectId: "prj_a", gitRef: "feat/login" });
    const deployment = await api.getDeployment(token, made.id, "team_dep");
    expect(deployment).toMatchObject({ id: made.id, projectId: "prj_a", gitRef: "feat/login" });
    const request = lastApiRequest();
    expect(request?.query).toEqual({ withGitRepoInfo: "true", teamId: "team_dep" });
    const answer = await (
      await fetch(`${vercel.apiUrl}${request?.path}?withGitRepoInfo=true&teamId=team_dep`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json();
    expect(() => GetDeploymentResponseBody$inboundSchema.parse(answer)).not.toThrow();
  });

  it("reads a deployment that did not come from git", async () => {
    const made = vercel.deployments.add("team_dep", { projectId: "prj_a", gitRef: null });
    expect((await api.getDeployment(token, made.id, "team_dep")).gitRef).toBeNull();
  });

  it("is refused another scope's deployment", async () => {
    const other = vercel.deployments.add("team_other", { projectId: "prj_b" });
    await expect(api.getDeployment(token, other.id, "team_dep")).rejects.toMatchObject({ status: 404 });
  });
});

describe("action status updates", () => {
  const target = () => ({
    deploymentId: vercel.deployments.add("team_dep", { projectId: "prj_a" }).id,
    installationId: grant.configurationId,
    resourceId: "store_1",
    action: "branch",
  });

  it("PATCHes running then succeeded with resource secrets, bodies @vercel/sdk accepts", async () => {
    const t = target();
    await api.updateAction(token, t, { status: "running", statusText: "Creating the branch" });
    const patch = lastApiRequest();
    expect(patch?.method).toBe("PATCH");
    expect(patch?.path).toBe(
      `/v1/deployments/${t.deploymentId}/integrations/${t.installationId}/resources/store_1/actions/branch`,
    );
    expect(patch?.headers["content-type"]).toBe("application/json");
    const done = {
      status: "succeeded" as const,
      statusUrl: "https://relay.example.com/actions/act_1",
      outcomes: [
        { kind: "resource-secrets" as const, secrets: [{ name: "DATABASE_URL", value: "postgres://x" }] },
      ],
    };
    await api.updateAction(token, t, done);
    for (const body of vercel.deployments.updatesOf(t.deploymentId, "branch"))
      expect(UpdateIntegrationDeploymentActionRequestBody$outboundSchema.parse(body)).toEqual(body);
    expect(vercel.deployments.updatesOf(t.deploymentId, "branch")).toEqual([
      { status: "running", statusText: "Creating the branch" },
      done,
    ]);
  });

  it("fails a 429 at once with Vercel's wait, for the caller to schedule, and never shows a secret", async () => {
    vercel.failNext({ status: 429, headers: { "retry-after": "7" }, message: "slow down postgres://secret" });
    const error = await api
      .updateAction(token, target(), {
        status: "succeeded",
        outcomes: [
          { kind: "resource-secrets", secrets: [{ name: "DATABASE_URL", value: "postgres://secret" }] },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VercelApiError);
    expect(error).toMatchObject({ status: 429, code: "vercel_rate_limited", retryAfterMs: 7000 });
    expect((error as Error).message).not.toContain("postgres://secret");
  });

  it("answers a 410 (the action is gone) as an error with its status", async () => {
    vercel.failNext({ status: 410, code: "gone", message: "Gone" });
    await expect(api.updateAction(token, target(), { status: "running" })).rejects.toMatchObject({
      status: 410,
    });
  });

  it("is refused for another installation's action", async () => {
    await expect(
      api.updateAction(token, { ...target(), installationId: "icfg_someoneelse" }, { status: "running" }),
    ).rejects.toMatchObject({ status: 403 });
  });
});

describe("checks", () => {
  it("creates a check, sets it running and concludes it, bodies @vercel/sdk accepts", async () => {
    const deployment = vercel.deployments.add("team_dep", { projectId: "prj_a" });
    const create = {
      name: "Smoke test",
      blocking: true,
      rerequestable: true,
      detailsUrl: "https://relay.example.com/checks/c1",
      externalId: "c1",
    };
    const { id } = await api.createCheck(token, deployment.id, "team_dep", create);
    expect(CreateCheckRequestBody$outboundSchema.parse(JSON.parse(lastApiRequest()?.body ?? ""))).toEqual(
      create,
    );
    expect(lastApiRequest()?.query.teamId).toBe("team_dep");
    await api.updateCheck(token, deployment.id, id, "team_dep", { status: "running" });
    await api.updateCheck(token, deployment.id, id, "team_dep", {
      conclusion: "succeeded",
      detailsUrl: "https://relay.example.com/checks/c1",
    });
    expect(
      UpdateCheckRequestBody$outboundSchema.parse(JSON.parse(lastApiRequest()?.body ?? "")),
    ).toMatchObject({
      conclusion: "succeeded",
    });
    expect(vercel.deployments.checks.get(id)).toMatchObject({ status: "completed", conclusion: "succeeded" });
  });

  it("lists a deployment's checks in the documented shape; one made is found by its detailsUrl", async () => {
    const deployment = vercel.deployments.add("team_dep", { projectId: "prj_a" });
    const detailsUrl = "https://relay.example.com/checks/c2";
    const { id } = await api.createCheck(token, deployment.id, "team_dep", {
      name: "Smoke test",
      blocking: false,
      detailsUrl,
      externalId: "c2",
    });
    const listed = await api.listChecks(token, deployment.id, "team_dep");
    expect(lastApiRequest()).toMatchObject({
      method: "GET",
      path: `/v1/deployments/${deployment.id}/checks`,
      query: { teamId: "team_dep" },
    });
    // The list's documented shape has no externalId: the run's page is how a run finds its check.
    expect(listed).toEqual([{ id, name: "Smoke test", externalId: null, detailsUrl }]);
    const answer: unknown = await (
      await fetch(`${vercel.apiUrl}/v1/deployments/${deployment.id}/checks?teamId=team_dep`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json();
    expect(GetAllChecksResponseBody$inboundSchema.parse(answer)).toEqual(answer);
    expect(
      await api.listChecks(token, vercel.deployments.add("team_dep", { projectId: "prj_a" }).id, "team_dep"),
    ).toEqual([]);
  });

  it("a check whose answer was lost is made all the same", async () => {
    const deployment = vercel.deployments.add("team_dep", { projectId: "prj_a" });
    vercel.failNext({ status: 500, on: "POST /v1/deployments/", afterDoing: true });
    await expect(
      api.createCheck(token, deployment.id, "team_dep", { name: "Lost", blocking: false }),
    ).rejects.toMatchObject({ status: 500 });
    expect((await api.listChecks(token, deployment.id, "team_dep")).map((c) => c.name)).toEqual(["Lost"]);
  });

  it("reads a checks-v2 run, and updates it, answers and bodies @vercel/sdk accepts", async () => {
    const deployment = vercel.deployments.add("team_dep", { projectId: "prj_a" });
    const run = vercel.deployments.addCheckRun(deployment.id, {
      name: "Smoke test",
      configurationId: grant.configurationId,
    });
    expect(await api.getCheckRun(token, deployment.id, run.id, "team_dep")).toEqual({
      id: run.id,
      name: "Smoke test",
      checkId: run.checkId,
      status: "queued",
      conclusion: null,
    });
    expect(lastApiRequest()).toMatchObject({
      method: "GET",
      path: `/v2/deployments/${deployment.id}/check-runs/${run.id}`,
      query: { teamId: "team_dep" },
    });
    const read = async () =>
      (
        await fetch(`${vercel.apiUrl}/v2/deployments/${deployment.id}/check-runs/${run.id}?teamId=team_dep`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json() as Promise<unknown>;
    const before = await read();
    expect(() => GetDeploymentCheckRunResponseBody1$inboundSchema.parse(before)).not.toThrow();

    const running = { status: "running" as const, externalUrl: "https://relay.example.com/checks/r1" };
    await api.updateCheckRun(token, deployment.id, run.id, "team_dep", running);
    const update = {
      status: "completed" as const,
      conclusion: "failed" as const,
      conclusionText: "HTTP 500",
      externalUrl: "https://relay.example.com/checks/r1",
    };
    await api.updateCheckRun(token, deployment.id, run.id, "team_dep", update);
    expect(
      UpdateDeploymentCheckRunRequestBody$outboundSchema.parse(JSON.parse(lastApiRequest()?.body ?? "")),
    ).toEqual(update);
    expect(vercel.deployments.checkRuns.updatesOf(run.id)).toEqual([running, update]);
    const after = await read();
    expect(() => UpdateDeploymentCheckRunResponseBody1$inboundSchema.parse(after)).not.toThrow();
    expect(after).toMatchObject({ status: "completed", conclusion: "failed", conclusionText: "HTTP 500" });
  });

  it("is refused a check run that is not the deployment's", async () => {
    const deployment = vercel.deployments.add("team_dep", { projectId: "prj_a" });
    const other = vercel.deployments.add("team_dep", { projectId: "prj_a" });
    const run = vercel.deployments.addCheckRun(other.id, {
      name: "X",
      configurationId: grant.configurationId,
    });
    await expect(api.getCheckRun(token, deployment.id, run.id, "team_dep")).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      api.updateCheckRun(token, deployment.id, "crun_none", "team_dep", { status: "running" }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("a check run answer of another shape is an invalid response", async () => {
    const deployment = vercel.deployments.add("team_dep", { projectId: "prj_a" });
    const run = vercel.deployments.addCheckRun(deployment.id, {
      name: "X",
      configurationId: grant.configurationId,
    });
    vercel.failNext({ status: 200, on: "GET /v2/" });
    await expect(api.getCheckRun(token, deployment.id, run.id, "team_dep")).rejects.toMatchObject({
      code: "vercel_invalid_response",
    });
  });
});
