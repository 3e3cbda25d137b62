import type { Agent } from "undici";
import type { CheckConfig } from "../config/checks-schema.js";
import type { Clock } from "../core/clock.js";
import { isJsonObject } from "../core/json-object.js";
import type { SecretBox } from "../core/secret-box.js";
import { installationTokenContext } from "../integration/token.js";
import type { CheckUpdate, VercelApi } from "../integration/vercel-api.js";
import { VercelApiError } from "../integration/vercel-api-error.js";
import type { ActionRun, ActionRunChange, ReportTarget } from "../storage/actions-port.js";
import type { Installation, Store } from "../storage/port.js";
import { probe } from "./http-probe.js";
import { turnedOff } from "./run-gate.js";

/** How long a check's creation waits before Vercel is asked again, after no answer or a 5xx. */
const CREATE_RETRY_MS = 30_000;

export interface CheckPhaseOptions {
  store: Store;
  vercel: VercelApi;
  secrets: SecretBox;
  clock: Clock;
  /** The configured checks, by name. */
  checks: ReadonlyMap<string, CheckConfig>;
  /** Where a run's page is: the run id follows. */
  detailsUrlBase: string;
  agent: Agent;
}

/** Changes the held run (keeping the lease when asked); throws when the lease was lost. */
type Change = (change: ActionRunChange, keepLease?: boolean) => Promise<void>;
/** Seals a report for the run's queue. */
type Report = (run: ActionRun, target: ReportTarget, body: object) => NonNullable<ActionRunChange["report"]>;

/**
 * The phases of a deployment check's run: `create` POSTs the check to Vercel and keeps its id;
 * `run` (creating it first if need be) reports running, requests the URL, and records the
 * conclusion with its report; `cancel` concludes it canceled. Reports are queued with the change
 * that makes them, so each goes out once, in order.
 */
export class CheckPhases {
  constructor(private readonly o: CheckPhaseOptions) {}

  /** Does the run's phase. */
  async do(run: ActionRun, signal: AbortSignal, change: Change, report: Report): Promise<void> {
    const installation = await this.o.store.installations.get(run.tenant);
    if (installation?.status !== "active" || !installation.accessToken) {
      await change({
        status: "failed",
        statusText: "Unknown installation",
        step: "The installation is not active here",
        ...(run.phase ? { done: run.phase } : {}),
      });
      return;
    }
    const check = this.o.checks.get(run.action);
    const detailsUrl = `${this.o.detailsUrlBase}${run.id}`;
    const off =
      run.phase === "cancel" ? null : turnedOff(installation.runSettings, "check", run.action, run.projectId);
    if (off) {
      // Never created in Vercel; one created before it was turned off is concluded skipped, so a
      // blocking check holds nothing back.
      await change({
        status: "canceled",
        statusText: off,
        step: off,
        ...(run.phase ? { done: run.phase } : {}),
        ...(run.externalId
          ? { report: report(run, "check", { status: "completed", conclusion: "skipped", detailsUrl }) }
          : {}),
      });
      return;
    }
    if (run.phase === "cancel") {
      await change({
        status: "canceled",
        statusText: "The deployment was canceled",
        step: "Canceled",
        done: "cancel",
        ...(run.externalId
          ? { report: report(run, "check", { status: "completed", conclusion: "canceled", detailsUrl }) }
          : {}),
      });
      return;
    }
    if (!check) {
      const statusText = `The check "${run.action}" is not configured on this server`;
      await change({
        status: "failed",
        statusText,
        step: statusText,
        ...(run.phase ? { done: run.phase } : {}),
        ...(run.externalId
          ? { report: report(run, "check", { status: "completed", conclusion: "failed", detailsUrl }) }
          : {}),
      });
      return;
    }
    const checkId = run.externalId ?? (await this.#create(run, installation, check, change));
    if (checkId === null) return;
    if (run.phase === "create") {
      await change({ done: "create" });
      return;
    }
    await change(
      {
        status: "running",
        statusText: null,
        step: "Running",
        report: report(run, "check", { status: "running" }),
      },
      true,
    );
    const url = await this.#url(run, installation, check);
    const result = await probe(url, check.expect, check.timeout, this.o.agent, signal);
    const update: CheckUpdate = {
      status: "completed",
      conclusion: result.passed ? "succeeded" : "failed",
      detailsUrl,
    };
    await change({
      status: result.passed ? "succeeded" : "failed",
      statusText: result.why,
      step: result.why,
      done: "run",
      report: report(run, "check", update),
    });
  }

  /** POSTs the check; its id, or null when the phase was left to retry or ended. */
  async #create(run: ActionRun, installation: Installation, check: CheckConfig, change: Change) {
    try {
      const { id } = await this.o.vercel.createCheck(
        this.#token(installation),
        run.deploymentId,
        installation.teamId,
        {
          name: check.name,
          blocking: check.blocking,
          rerequestable: check.rerequestable,
          detailsUrl: `${this.o.detailsUrlBase}${run.id}`,
          externalId: run.id,
        },
      );
      await change({ externalId: id, step: "Created in Vercel" }, true);
      return id;
    } catch (error) {
      if (!(error instanceof VercelApiError)) throw error;
      const retry = error.status === 0 || error.status === 429 || error.status >= 500;
      const text = `Vercel did not create the check: ${error.message}`;
      if (retry) {
        const wait = error.retryAfterMs ?? CREATE_RETRY_MS;
        await change({ step: text, retryAt: this.o.clock.now() + wait });
      } else {
        await change({
          status: "failed",
          statusText: text,
          step: text,
          ...(run.phase ? { done: run.phase } : {}),
        });
      }
      return null;
    }
  }

  /** The check's URL with the deployment's host and id filled in. */
  async #url(run: ActionRun, installation: Installation, check: CheckConfig): Promise<string> {
    const host = (await this.#hostFromEvent(run)) ?? (await this.#hostFromVercel(run, installation));
    return check.url.replaceAll("{deployment.url}", host).replaceAll("{deployment.id}", run.deploymentId);
  }

  async #hostFromEvent(run: ActionRun): Promise<string | null> {
    const event = await this.o.store.forTenant(run.tenant).getEvent(run.eventId);
    if (!event) return null;
    try {
      const body: unknown = JSON.parse(Buffer.from(event.body).toString("utf8"));
      const payload = isJsonObject(body) && isJsonObject(body.payload) ? body.payload : {};
      const url = isJsonObject(payload.deployment) ? payload.deployment.url : null;
      return typeof url === "string" && url !== "" ? url : null;
    } catch {
      return null;
    }
  }

  async #hostFromVercel(run: ActionRun, installation: Installation): Promise<string> {
    const deployment = await this.o.vercel.getDeployment(
      this.#token(installation),
      run.deploymentId,
      installation.teamId,
    );
    return deployment.url;
  }

  #token(installation: Installation): string {
    return this.o.secrets.open(installation.accessToken ?? "", installationTokenContext(installation.id));
  }
}
