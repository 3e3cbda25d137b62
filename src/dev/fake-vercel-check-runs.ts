/**
 * The fake Vercel's checks-v2 runs: Vercel makes a run of a project's check when a deployment
 * reaches what the check requires, and tells the check's integration (`deployment.checkrun.start`);
 * the integration reads it (`GET /v2/deployments/:id/check-runs/:runId`) and reports on it
 * (`PATCH`, the same path). A test makes the runs; every accepted update is kept in order. The
 * answers have the shape of @vercel/sdk's GetDeploymentCheckRunResponseBody (a run of a project
 * check).
 */
import { randomBytes } from "node:crypto";
import { type Answer, error, json, jsonBody } from "./fake-vercel-answers.js";
import type { RecordedRequest } from "./fake-vercel-types.js";

/** A run of a project check, as Vercel keeps it. */
export interface FakeCheckRun {
  id: string;
  checkId: string;
  deploymentId: string;
  /** The project check's name. */
  name: string;
  /** The team (or personal account) the deployment belongs to. */
  ownerId: string;
  projectId: string;
  /** The installation the check belongs to. */
  configurationId: string;
  status: "queued" | "running" | "completed";
  conclusion: string | null;
  conclusionText: string | null;
  externalUrl: string | null;
  /** How long Vercel waits for the run's conclusion, in ms. */
  timeout: number;
  createdAt: number;
  updatedAt: number;
  completedAt: number | null;
}

/** An accepted update of a run. */
export interface CheckRunUpdateRecord {
  deploymentId: string;
  runId: string;
  body: Record<string, unknown>;
}

const STATUSES = new Set(["queued", "running", "completed"]);
const CONCLUSIONS = new Set(["canceled", "skipped", "timeout", "failed", "neutral", "succeeded"]);
// The fields of @vercel/sdk's UpdateDeploymentCheckRunRequestBody that are strings.
const TEXT_FIELDS = ["externalId", "externalUrl", "conclusionText"] as const;

/** The check runs of the fake's deployments. */
export class FakeCheckRuns {
  readonly runs = new Map<string, FakeCheckRun>();
  readonly updates: CheckRunUpdateRecord[] = [];

  constructor(private readonly now: () => number) {}

  /** Makes a run of a project check of an installation on a deployment, queued, as Vercel does. */
  add(
    deployment: { id: string; projectId: string; teamId: string | null },
    options: { name: string; configurationId: string; ownerId: string; checkId?: string; timeout?: number },
  ): FakeCheckRun {
    const now = this.now();
    const run: FakeCheckRun = {
      id: `crun_${randomBytes(10).toString("hex")}`,
      checkId: options.checkId ?? `chk_${randomBytes(10).toString("hex")}`,
      deploymentId: deployment.id,
      name: options.name,
      ownerId: options.ownerId,
      projectId: deployment.projectId,
      configurationId: options.configurationId,
      status: "queued",
      conclusion: null,
      conclusionText: null,
      externalUrl: null,
      timeout: options.timeout ?? 600_000,
      createdAt: now,
      updatedAt: now,
      completedAt: null,
    };
    this.runs.set(run.id, run);
    return run;
  }

  /** The updates reported for one run, oldest first. */
  updatesOf(runId: string): Record<string, unknown>[] {
    return this.updates.filter((u) => u.runId === runId).map((u) => u.body);
  }

  /** `GET` or `PATCH` of a run of a deployment the caller may see. */
  answer(r: RecordedRequest, deploymentId: string, runId: string): Answer {
    const run = this.runs.get(runId);
    if (!run || run.deploymentId !== deploymentId) return error(404, "not_found", "Check run was not found.");
    if (r.method === "GET") return json(200, runBody(run));
    const body = jsonBody(r);
    if (!body) return error(400, "bad_request", "The body must be a JSON object.");
    if (body.status !== undefined && !STATUSES.has(String(body.status)))
      return error(400, "bad_request", "Invalid `status`.");
    if (body.conclusion !== undefined && !CONCLUSIONS.has(String(body.conclusion)))
      return error(400, "bad_request", "Invalid `conclusion`.");
    for (const field of TEXT_FIELDS)
      if (body[field] !== undefined && typeof body[field] !== "string")
        return error(400, "bad_request", `Invalid \`${field}\`.`);
    const now = this.now();
    if (typeof body.status === "string") run.status = body.status as FakeCheckRun["status"];
    if (typeof body.conclusion === "string") {
      run.conclusion = body.conclusion;
      run.status = "completed";
      run.completedAt = now;
    }
    if (typeof body.conclusionText === "string") run.conclusionText = body.conclusionText;
    if (typeof body.externalUrl === "string") run.externalUrl = body.externalUrl;
    run.updatedAt = now;
    this.updates.push({ deploymentId, runId, body });
    return json(200, runBody(run));
  }
}

/** A run as Vercel answers it: a run of a project check whose source is an integration. */
function runBody(run: FakeCheckRun) {
  return {
    id: run.id,
    name: run.name,
    checkId: run.checkId,
    ownerId: run.ownerId,
    deploymentId: run.deploymentId,
    projectId: run.projectId,
    source: {
      kind: "integration",
      integrationId: "oac_fake",
      integrationConfigurationId: run.configurationId,
    },
    status: run.status,
    ...(run.conclusion ? { conclusion: run.conclusion } : {}),
    ...(run.conclusionText ? { conclusionText: run.conclusionText } : {}),
    ...(run.externalUrl ? { externalUrl: run.externalUrl } : {}),
    requires: "deployment-url",
    blocks: "deployment-promotion",
    targets: ["preview", "production"],
    timeout: run.timeout,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    ...(run.completedAt ? { completedAt: run.completedAt } : {}),
  };
}
