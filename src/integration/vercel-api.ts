/**
 * The calls the integration makes to Vercel's REST API: the OAuth code exchange, the projects of
 * an installation's scope, and deleting a configuration (uninstalling). Plain fetch with the base
 * URL injected, so tests point it at a local fake. A 429 is waited out when Vercel asks for a
 * wait within `maxRateLimitWaitMs`; otherwise, like every other failure, it is a `VercelApiError`.
 */
import { setTimeout as delay } from "node:timers/promises";
import { z } from "zod";
import { type Clock, systemClock } from "../core/clock.js";
import { rateLimitWaitMs } from "./rate-limit-wait.js";
import { VercelApiError, vercelErrorBody, withoutSecrets } from "./vercel-api-error.js";
import type {
  ActionTarget,
  ActionUpdate,
  CheckCreate,
  CheckRunUpdate,
  CheckUpdate,
  CodeExchange,
  InstallationToken,
  ListedCheck,
  VercelCheckRun,
  VercelDeployment,
  VercelProject,
} from "./vercel-api-types.js";

export { VercelApiError, type VercelApiErrorCode } from "./vercel-api-error.js";
export type * from "./vercel-api-types.js";

export const DEFAULT_API_URL = "https://api.vercel.com";

/**
 * The longest `conclusionText` Switchyard sends on a checks-v2 run. Vercel documents no bound (its
 * OpenAPI and @vercel/sdk take any string): this keeps the reason to a line or two, as a reason is.
 */
export const MAX_CONCLUSION_TEXT = 300;

export interface VercelApiOptions {
  /** Vercel's API origin; `https://api.vercel.com` by default. */
  apiUrl?: string;
  fetch?: typeof fetch;
  clock?: Clock;
  /** How the client waits out a 429; tests pass their own to own the clock. */
  sleep?: (ms: number) => Promise<void>;
  /** The longest wait a 429 may ask for and still be retried; 10 s by default. */
  maxRateLimitWaitMs?: number;
  /** How many times one call is retried after a 429; 2 by default. */
  maxRateLimitRetries?: number;
  /** Deadline of each HTTP request; 15 s by default. */
  timeoutMs?: number;
}

// The documented answer of POST /v2/oauth/access_token (not in Vercel's OpenAPI or SDK).
const tokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  installation_id: z.string(),
  user_id: z.string(),
  team_id: z.string().nullish(),
});

// GET /v10/projects, as @vercel/sdk's GetProjectsResponseBody: `next` is a timestamp (number) in
// the older pagination and a continuation token (string) in the newer; both go back as `from`.
const projectsPage = z.object({
  projects: z.array(z.object({ id: z.string(), name: z.string() })),
  pagination: z.object({ next: z.union([z.number(), z.string()]).nullable() }),
});

// GET /v13/deployments/{id}, the fields used (@vercel/sdk's GetDeploymentResponseBody has many more).
const deploymentAnswer = z.object({
  id: z.string(),
  url: z.string(),
  projectId: z.string().nullish(),
  target: z.string().nullish(),
  gitSource: z.object({ ref: z.string().nullish(), sha: z.string().nullish() }).passthrough().nullish(),
});

// The Check object of the v1 checks API: only its id is needed.
const checkAnswer = z.object({ id: z.string() });

// GET /v1/deployments/{id}/checks. The list's documented shape (@vercel/sdk's GetAllChecksChecks)
// has no externalId, one check's has: read it when it is there, and detailsUrl, which is in both.
const checksAnswer = z.object({
  checks: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      externalId: z.string().nullish(),
      detailsUrl: z.string().nullish(),
    }),
  ),
});

// GET /v2/deployments/{id}/check-runs/{runId}, the fields used (@vercel/sdk's
// GetDeploymentCheckRunResponseBody): a run of a project check has checkId, Vercel's CI runs not.
const checkRunAnswer = z.object({
  id: z.string(),
  name: z.string(),
  checkId: z.string().nullish(),
  status: z.enum(["queued", "running", "completed"]),
  conclusion: z.string().nullish(),
});

const PAGE_LIMIT = 100;
// A bound on pages so a cursor that never ends cannot loop forever: 100,000 projects.
const MAX_PAGES = 1000;

interface Call {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | null>;
  token?: string;
  form?: Record<string, string>;
  json?: unknown;
  /** Values never to appear in an error's message. */
  secrets: string[];
  /** Fail a 429 at once (with its wait in the error) instead of waiting it out: the caller schedules the retry. */
  noWait?: boolean;
}

/** A client of Vercel's REST API; holds no connection state, so it needs no closing. */
export class VercelApi {
  readonly #apiUrl: string;
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #maxWaitMs: number;
  readonly #maxRetries: number;
  readonly #timeoutMs: number;

  constructor(options: VercelApiOptions = {}) {
    this.#apiUrl = (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, "");
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? ((ms) => delay(ms));
    this.#maxWaitMs = options.maxRateLimitWaitMs ?? 10_000;
    this.#maxRetries = options.maxRateLimitRetries ?? 2;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** Exchanges the code Vercel gave the Redirect URL for the installation's access token. */
  async exchangeCode(input: CodeExchange): Promise<InstallationToken> {
    const call: Call = {
      method: "POST",
      path: "/v2/oauth/access_token",
      form: {
        client_id: input.clientId,
        client_secret: input.clientSecret,
        code: input.code,
        redirect_uri: input.redirectUri,
      },
      secrets: [input.clientSecret, input.code],
    };
    const body = await this.#json(call, tokenAnswer);
    return {
      accessToken: body.access_token,
      tokenType: body.token_type,
      installationId: body.installation_id,
      userId: body.user_id,
      teamId: body.team_id ?? null,
    };
  }

  /** Every project the token can see in its scope (the team, or the personal account when null). */
  async listProjects(token: string, teamId: string | null): Promise<VercelProject[]> {
    const projects: VercelProject[] = [];
    const seen = new Set<string>();
    let from: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const call: Call = {
        method: "GET",
        path: "/v10/projects",
        query: { limit: String(PAGE_LIMIT), teamId, from },
        token,
        secrets: [token],
      };
      const body = await this.#json(call, projectsPage);
      for (const { id, name } of body.projects) projects.push({ id, name });
      const next = body.pagination.next;
      if (next === null) return projects;
      from = String(next);
      if (seen.has(from)) throw invalid(call, `the pagination cursor ${from} came back twice`, 200);
      seen.add(from);
    }
    throw new VercelApiError(
      "vercel_invalid_response",
      `GET /v10/projects: more than ${MAX_PAGES} pages`,
      200,
    );
  }

  /** Deletes an integration configuration: uninstalls the integration from that scope. */
  async deleteConfiguration(token: string, configurationId: string, teamId: string | null): Promise<void> {
    const call: Call = {
      method: "DELETE",
      path: `/v1/integrations/configuration/${encodeURIComponent(configurationId)}`,
      query: { teamId },
      token,
      secrets: [token],
    };
    const response = await this.#send(call);
    await response.body?.cancel();
  }

  /** A deployment, with its git source (`GET /v13/deployments/{id}?withGitRepoInfo=true`). */
  async getDeployment(token: string, deploymentId: string, teamId: string | null): Promise<VercelDeployment> {
    const call: Call = {
      method: "GET",
      path: `/v13/deployments/${encodeURIComponent(deploymentId)}`,
      query: { withGitRepoInfo: "true", teamId },
      token,
      secrets: [token],
    };
    const body = await this.#json(call, deploymentAnswer);
    return {
      id: body.id,
      url: body.url,
      projectId: body.projectId ?? null,
      target: body.target ?? null,
      gitRef: body.gitSource?.ref ?? null,
      gitSha: body.gitSource?.sha ?? null,
    };
  }

  /**
   * Reports a deployment integration action's status (`PATCH /v1/deployments/{id}/integrations/
   * {installation}/resources/{resource}/actions/{action}`, answered 202). A 429 is not waited out
   * here: the error carries Vercel's wait and the caller's schedule retries.
   */
  async updateAction(token: string, target: ActionTarget, body: ActionUpdate): Promise<void> {
    const path = [
      "/v1/deployments",
      target.deploymentId,
      "integrations",
      target.installationId,
      "resources",
      target.resourceId,
      "actions",
      target.action,
    ]
      .map((part, i) => (i === 0 ? part : encodeURIComponent(part)))
      .join("/");
    const secrets = [token, ...(body.outcomes ?? []).flatMap((o) => o.secrets.map((s) => s.value))];
    const response = await this.#send({ method: "PATCH", path, json: body, token, secrets, noWait: true });
    await response.body?.cancel();
  }

  /** Creates a check on a deployment (`POST /v1/deployments/{id}/checks`); answers its id. */
  async createCheck(
    token: string,
    deploymentId: string,
    teamId: string | null,
    check: CheckCreate,
  ): Promise<{ id: string }> {
    const call: Call = {
      method: "POST",
      path: `/v1/deployments/${encodeURIComponent(deploymentId)}/checks`,
      query: { teamId },
      json: check,
      token,
      secrets: [token],
      noWait: true,
    };
    const body = await this.#json(call, checkAnswer);
    return { id: body.id };
  }

  /**
   * The deployment's v1 checks (`GET /v1/deployments/{id}/checks`), every integration's: how a check
   * made before a crash is found again instead of made twice.
   */
  async listChecks(token: string, deploymentId: string, teamId: string | null): Promise<ListedCheck[]> {
    const call: Call = {
      method: "GET",
      path: `/v1/deployments/${encodeURIComponent(deploymentId)}/checks`,
      query: { teamId },
      token,
      secrets: [token],
      noWait: true,
    };
    const body = await this.#json(call, checksAnswer);
    return body.checks.map((c) => ({
      id: c.id,
      name: c.name,
      externalId: c.externalId ?? null,
      detailsUrl: c.detailsUrl ?? null,
    }));
  }

  /** Updates a check (`PATCH /v1/deployments/{id}/checks/{checkId}`): running, or a conclusion. */
  async updateCheck(
    token: string,
    deploymentId: string,
    checkId: string,
    teamId: string | null,
    update: CheckUpdate,
  ): Promise<void> {
    const call: Call = {
      method: "PATCH",
      path: `/v1/deployments/${encodeURIComponent(deploymentId)}/checks/${encodeURIComponent(checkId)}`,
      query: { teamId },
      json: update,
      token,
      secrets: [token],
      noWait: true,
    };
    await this.#json(call, checkAnswer);
  }

  /** A checks-v2 run (`GET /v2/deployments/{id}/check-runs/{runId}`): its check's name, where it stands. */
  async getCheckRun(
    token: string,
    deploymentId: string,
    runId: string,
    teamId: string | null,
  ): Promise<VercelCheckRun> {
    const call: Call = {
      method: "GET",
      path: `/v2/deployments/${encodeURIComponent(deploymentId)}/check-runs/${encodeURIComponent(runId)}`,
      query: { teamId },
      token,
      secrets: [token],
      noWait: true,
    };
    const body = await this.#json(call, checkRunAnswer);
    return {
      id: body.id,
      name: body.name,
      checkId: body.checkId ?? null,
      status: body.status,
      conclusion: body.conclusion ?? null,
    };
  }

  /** Updates a checks-v2 run (`PATCH /v2/deployments/{id}/check-runs/{runId}`). */
  async updateCheckRun(
    token: string,
    deploymentId: string,
    runId: string,
    teamId: string | null,
    update: CheckRunUpdate,
  ): Promise<void> {
    const call: Call = {
      method: "PATCH",
      path: `/v2/deployments/${encodeURIComponent(deploymentId)}/check-runs/${encodeURIComponent(runId)}`,
      query: { teamId },
      json: update,
      token,
      secrets: [token],
      noWait: true,
    };
    const response = await this.#send(call);
    await response.body?.cancel();
  }

  /** Sends the call and parses a 2xx's JSON body with `schema`. */
  async #json<T>(call: Call, schema: z.ZodType<T>): Promise<T> {
    const response = await this.#send(call);
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw invalid(call, "the body is not JSON", response.status);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => i.path.join(".") || "(body)").join(", ");
      throw invalid(call, `unexpected shape at ${fields}`, response.status);
    }
    return parsed.data;
  }

  /** Sends the call, waiting out 429s within the bound; answers only a 2xx response. */
  async #send(call: Call): Promise<Response> {
    for (let retry = 0; ; retry++) {
      const response = await this.#fetchOnce(call);
      if (response.ok) return response;
      const { code: vercelCode, message } = vercelErrorBody(await response.json().catch(() => null));
      const said = message === null ? "" : `: ${withoutSecrets(message, call.secrets)}`;
      const what = `Vercel answered ${response.status} to ${call.method} ${call.path}${said}`;
      if (response.status !== 429) {
        throw new VercelApiError("vercel_api_error", what, response.status, vercelCode);
      }
      const waitMs = rateLimitWaitMs(response.headers, this.#clock.now());
      if (call.noWait || waitMs === null || waitMs > this.#maxWaitMs || retry >= this.#maxRetries) {
        throw new VercelApiError("vercel_rate_limited", what, 429, vercelCode, waitMs);
      }
      await this.#sleep(waitMs);
    }
  }

  async #fetchOnce(call: Call): Promise<Response> {
    const url = new URL(this.#apiUrl + call.path);
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value !== null) url.searchParams.set(key, value);
    }
    const headers: Record<string, string> = { accept: "application/json" };
    if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
    let body: string | undefined;
    if (call.form !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(call.form).toString();
    } else if (call.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(call.json);
    }
    try {
      return await this.#fetch(url, {
        method: call.method,
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause?.code;
      const why = (error as Error).name === "TimeoutError" ? "timed out" : String(cause ?? "failed");
      throw new VercelApiError("vercel_unreachable", `${call.method} ${call.path}: ${why}`, 0);
    }
  }
}

function invalid(call: Call, why: string, status: number): VercelApiError {
  return new VercelApiError("vercel_invalid_response", `${call.method} ${call.path}: ${why}`, status);
}
