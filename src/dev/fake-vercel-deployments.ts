/**
 * The fake Vercel's deployments, and what an integration reports about them: deployment reads
 * (`GET /v13/deployments/:id`), deployment integration action updates (`PATCH /v1/deployments/:id/
 * integrations/:icfg/resources/:resource/actions/:action`, 202), v1 checks (`GET`, `POST` and
 * `PATCH /v1/deployments/:id/checks[/:checkId]`) and v2 check runs (`GET` and `PATCH
 * /v2/deployments/:id/check-runs/:runId`, fake-vercel-check-runs.ts). Every accepted update is kept
 * in order, for tests and the dashboard to read.
 */
import { randomBytes } from "node:crypto";
import { type Answer, error, json, jsonBody } from "./fake-vercel-answers.js";
import { type FakeCheckRun, FakeCheckRuns } from "./fake-vercel-check-runs.js";
import type { RecordedRequest } from "./fake-vercel-types.js";

/** A deployment the fake knows. */
export interface FakeDeployment {
  id: string;
  url: string;
  name: string;
  projectId: string;
  /** The scope it belongs to: a team id, or null for the personal account. */
  teamId: string | null;
  target: "production" | null;
  gitRef: string | null;
  gitSha: string | null;
}

/** An accepted status update of a deployment integration action. */
export interface ActionUpdateRecord {
  deploymentId: string;
  installationId: string;
  resourceId: string;
  action: string;
  body: Record<string, unknown>;
}

/** A check as the v1 checks API keeps it. */
export interface FakeCheck {
  id: string;
  deploymentId: string;
  name: string;
  blocking: boolean;
  rerequestable: boolean;
  status: "registered" | "running" | "completed";
  conclusion: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Who calls: the installation the Bearer token belongs to. */
export interface Caller {
  configurationId: string;
  teamId: string | null;
}

const ACTION_STATUSES = new Set(["running", "succeeded", "failed"]);
const CHECK_STATUSES = new Set(["running", "completed"]);
const CHECK_CONCLUSIONS = new Set(["canceled", "failed", "neutral", "succeeded", "skipped"]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The deployments of the fake, and the reports integrations made about them. */
export class FakeDeployments {
  readonly deployments = new Map<string, FakeDeployment>();
  readonly actionUpdates: ActionUpdateRecord[] = [];
  readonly checks = new Map<string, FakeCheck>();
  /** The checks-v2 runs of the deployments, and their updates. */
  readonly checkRuns: FakeCheckRuns;

  constructor(private readonly now: () => number) {
    this.checkRuns = new FakeCheckRuns(now);
  }

  /** Makes a deployment of a project in a scope. */
  add(
    teamId: string | null,
    options: { projectId: string; gitRef?: string | null; name?: string },
  ): FakeDeployment {
    const id = `dpl_${randomBytes(12).toString("hex")}`;
    const name = options.name ?? "app";
    const deployment: FakeDeployment = {
      id,
      url: `${name}-${id.slice(4, 13)}.vercel.app`,
      name,
      projectId: options.projectId,
      teamId,
      target: null,
      gitRef: options.gitRef === undefined ? "main" : options.gitRef,
      gitSha: options.gitRef === null ? null : randomBytes(20).toString("hex"),
    };
    this.deployments.set(id, deployment);
    return deployment;
  }

  /**
   * Makes a run of a project check on a deployment, as Vercel does when the deployment gets where
   * the check requires; the integration is then told with `deployment.checkrun.start`.
   */
  addCheckRun(
    deploymentId: string,
    options: { name: string; configurationId: string; checkId?: string; ownerId?: string },
  ): FakeCheckRun {
    const deployment = this.deployments.get(deploymentId);
    const ownerId = options.ownerId ?? deployment?.teamId;
    if (!deployment || !ownerId) throw new Error(`no deployment ${deploymentId} with an owner`);
    return this.checkRuns.add(deployment, { ...options, ownerId });
  }

  /** The updates reported for one action of one deployment, oldest first. */
  updatesOf(deploymentId: string, action: string): Record<string, unknown>[] {
    return this.actionUpdates
      .filter((u) => u.deploymentId === deploymentId && u.action === action)
      .map((u) => u.body);
  }

  /** Answers a request of this part of the API, or null when the path is not one of its. */
  answer(r: RecordedRequest, caller: Caller): Answer | null {
    const parts = r.path.split("/").slice(1).map(decodeURIComponent);
    if (r.method === "GET" && parts.length === 3 && parts[0] === "v13" && parts[1] === "deployments")
      return this.#get(parts[2] ?? "", r, caller);
    if (parts[0] === "v1" && parts[1] === "deployments") {
      const deploymentId = parts[2] ?? "";
      if (
        r.method === "PATCH" &&
        parts.length === 9 &&
        parts[3] === "integrations" &&
        parts[5] === "resources" &&
        parts[7] === "actions"
      )
        return this.#updateAction(r, caller, {
          deploymentId,
          installationId: parts[4] ?? "",
          resourceId: parts[6] ?? "",
          action: parts[8] ?? "",
        });
      if (r.method === "GET" && parts.length === 4 && parts[3] === "checks")
        return this.#listChecks(r, caller, deploymentId);
      if (r.method === "POST" && parts.length === 4 && parts[3] === "checks")
        return this.#createCheck(r, caller, deploymentId);
      if (r.method === "PATCH" && parts.length === 5 && parts[3] === "checks")
        return this.#updateCheck(r, caller, deploymentId, parts[4] ?? "");
    }
    if (
      (r.method === "GET" || r.method === "PATCH") &&
      parts[0] === "v2" &&
      parts[1] === "deployments" &&
      parts[3] === "check-runs" &&
      parts.length === 5
    ) {
      const deployment = this.#visible(parts[2] ?? "", r, caller);
      if ("status" in deployment) return deployment;
      return this.checkRuns.answer(r, deployment.id, parts[4] ?? "");
    }
    return null;
  }

  /** The deployment, if it is in the caller's scope (the request's teamId must name it). */
  #visible(id: string, r: RecordedRequest, caller: Caller): FakeDeployment | Answer {
    const deployment = this.deployments.get(id);
    if (!deployment || deployment.teamId !== caller.teamId)
      return error(404, "not_found", "Deployment was not found.");
    if ((r.query.teamId ?? null) !== caller.teamId) return error(403, "forbidden", "Not authorized");
    return deployment;
  }

  #get(id: string, r: RecordedRequest, caller: Caller): Answer {
    const deployment = this.#visible(id, r, caller);
    if ("status" in deployment) return deployment;
    const body: Record<string, unknown> = {
      id: deployment.id,
      url: deployment.url,
      name: deployment.name,
      projectId: deployment.projectId,
      aliasAssigned: false,
      readyState: "BUILDING",
      target: deployment.target,
      createdAt: this.now(),
    };
    if (r.query.withGitRepoInfo === "true" && deployment.gitRef !== null)
      body.gitSource = {
        type: "github",
        ref: deployment.gitRef,
        sha: deployment.gitSha,
        repoId: 1,
        org: "acme",
        repo: "app",
      };
    return json(200, body);
  }

  #updateAction(r: RecordedRequest, caller: Caller, target: Omit<ActionUpdateRecord, "body">): Answer {
    if (target.installationId !== caller.configurationId) return error(403, "forbidden", "Not authorized");
    if (!this.deployments.has(target.deploymentId))
      return error(404, "not_found", "Deployment was not found.");
    const body = jsonBody(r);
    if (!body) return error(400, "bad_request", "The body must be a JSON object.");
    const problem = actionBodyProblem(body);
    if (problem) return error(400, "bad_request", problem);
    this.actionUpdates.push({ ...target, body });
    return { status: 202, headers: {}, body: "" };
  }

  /** The deployment's checks, every integration's, in the documented list shape (no `externalId`). */
  #listChecks(r: RecordedRequest, caller: Caller, deploymentId: string): Answer {
    const deployment = this.#visible(deploymentId, r, caller);
    if ("status" in deployment) return deployment;
    const checks = [...this.checks.values()]
      .filter((c) => c.deploymentId === deploymentId)
      .map((c) => {
        const { deploymentId: _, externalId: __, ...listed } = checkBody(c);
        return listed;
      });
    return json(200, { checks });
  }

  #createCheck(r: RecordedRequest, caller: Caller, deploymentId: string): Answer {
    const deployment = this.#visible(deploymentId, r, caller);
    if ("status" in deployment) return deployment;
    const body = jsonBody(r);
    if (!body || typeof body.name !== "string" || typeof body.blocking !== "boolean")
      return error(400, "bad_request", "Invalid request: `name` and `blocking` are required.");
    const now = this.now();
    const check: FakeCheck = {
      id: `chk_${randomBytes(10).toString("hex")}`,
      deploymentId,
      name: body.name,
      blocking: body.blocking,
      rerequestable: body.rerequestable === true,
      status: "registered",
      conclusion: null,
      detailsUrl: typeof body.detailsUrl === "string" ? body.detailsUrl : null,
      externalId: typeof body.externalId === "string" ? body.externalId : null,
      createdAt: now,
      updatedAt: now,
    };
    this.checks.set(check.id, check);
    return json(200, checkBody(check));
  }

  #updateCheck(r: RecordedRequest, caller: Caller, deploymentId: string, checkId: string): Answer {
    const deployment = this.#visible(deploymentId, r, caller);
    if ("status" in deployment) return deployment;
    const check = this.checks.get(checkId);
    if (!check || check.deploymentId !== deploymentId) return error(404, "not_found", "Check was not found.");
    const body = jsonBody(r);
    if (!body) return error(400, "bad_request", "The body must be a JSON object.");
    if (body.status !== undefined && !CHECK_STATUSES.has(String(body.status)))
      return error(400, "bad_request", "Invalid `status`.");
    if (body.conclusion !== undefined && !CHECK_CONCLUSIONS.has(String(body.conclusion)))
      return error(400, "bad_request", "Invalid `conclusion`.");
    if (body.status === "running") check.status = "running";
    if (typeof body.conclusion === "string") {
      check.conclusion = body.conclusion;
      check.status = "completed";
    }
    if (typeof body.detailsUrl === "string") check.detailsUrl = body.detailsUrl;
    check.updatedAt = this.now();
    return json(200, checkBody(check));
  }
}

/** What is wrong with an action update's body, by the endpoint's documented schema. */
function actionBodyProblem(body: Record<string, unknown>): string | null {
  if (body.status !== undefined && !ACTION_STATUSES.has(String(body.status))) return "Invalid `status`.";
  if (body.statusText !== undefined && typeof body.statusText !== "string") return "Invalid `statusText`.";
  if (
    body.statusUrl !== undefined &&
    !(typeof body.statusUrl === "string" && /^https?:\/\/|^sso:/.test(body.statusUrl))
  )
    return "Invalid `statusUrl`.";
  if (body.outcomes !== undefined) {
    if (!Array.isArray(body.outcomes)) return "Invalid `outcomes`.";
    for (const outcome of body.outcomes) {
      if (!isObject(outcome) || typeof outcome.kind !== "string" || !Array.isArray(outcome.secrets))
        return "Invalid `outcomes`: each needs `kind` and `secrets`.";
      for (const secret of outcome.secrets)
        if (!isObject(secret) || typeof secret.name !== "string" || typeof secret.value !== "string")
          return "Invalid `outcomes[].secrets`: each needs `name` and `value`.";
    }
  }
  return null;
}

function checkBody(check: FakeCheck) {
  return {
    id: check.id,
    name: check.name,
    createdAt: check.createdAt,
    updatedAt: check.updatedAt,
    deploymentId: check.deploymentId,
    status: check.status,
    ...(check.conclusion ? { conclusion: check.conclusion, completedAt: check.updatedAt } : {}),
    blocking: check.blocking,
    integrationId: "oac_fake",
    rerequestable: check.rerequestable,
    ...(check.detailsUrl ? { detailsUrl: check.detailsUrl } : {}),
    ...(check.externalId ? { externalId: check.externalId } : {}),
  };
}
