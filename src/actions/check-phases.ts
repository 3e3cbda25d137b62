import type { Agent } from "undici";
import type { CheckConfig } from "../config/checks-schema.js";
import type { Clock } from "../core/clock.js";
import { isJsonObject } from "../core/json-object.js";
import type { SecretBox } from "../core/secret-box.js";
import { installationTokenContext } from "../integration/token.js";
import type { VercelApi } from "../integration/vercel-api.js";
import { VercelApiError } from "../integration/vercel-api-error.js";
import {
  type ActionRun,
  type ActionRunChange,
  checkNameOf,
  isCheckRun,
  type ReportTarget,
} from "../storage/actions-port.js";
import type { Installation, Store } from "../storage/port.js";
import { type CheckReporting, reportingOf } from "./check-reporting.js";
import { probe } from "./http-probe.js";
import { turnedOff } from "./run-gate.js";

/** How long a call to Vercel a phase needs waits before it is made again, after no answer or a 5xx. */
const RETRY_MS = 30_000;

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

/** One phase of one run, with what its steps share. */
interface Phase {
  run: ActionRun;
  installation: Installation;
  change: Change;
  report: Report;
  reporting: CheckReporting;
}

/**
 * The phases of a deployment check's run. A v1 check is Switchyard's: `create` POSTs it to Vercel
 * (or finds the one a run made before a crash) and keeps its id. A checks-v2 run is Vercel's: its
 * `run` first reads the run's name (the project check's) to find the configured check of that name.
 * Then `run` reports running, requests the URL, and records the conclusion with its report; `cancel`
 * concludes it canceled. Reports are queued with the change that makes them, so each goes out once,
 * in order.
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
    const p: Phase = {
      run,
      installation,
      change,
      report,
      reporting: reportingOf(run, `${this.o.detailsUrlBase}${run.id}`),
    };
    if (run.phase === "cancel") {
      const statusText = isCheckRun(run) ? "Vercel canceled the check run" : "The deployment was canceled";
      await change({
        status: "canceled",
        statusText,
        step: "Canceled",
        done: "cancel",
        ...(run.externalId ? { report: this.#report(p, "canceled", null) } : {}),
      });
      return;
    }
    const name = isCheckRun(run) ? await this.#nameOfRun(p) : run.action;
    if (name === null) return;
    const off = turnedOff(installation.runSettings, "check", name, run.projectId);
    if (off) {
      // Never created in Vercel; one that was (a v1 check created before it was turned off, or a
      // v2 run Vercel made) is concluded skipped, so a blocking check holds nothing back.
      await change({
        status: "canceled",
        statusText: off,
        step: off,
        ...this.#done(run),
        ...(run.externalId ? { report: this.#report(p, "skipped", off) } : {}),
      });
      return;
    }
    const check = this.o.checks.get(name);
    if (!check) {
      await this.#end(p, `The check "${name}" is not configured on this server`);
      return;
    }
    const checkId = run.externalId ?? (await this.#create(p, check));
    if (checkId === null) return;
    if (run.phase === "create") {
      await change({ done: "create" });
      return;
    }
    const url = await this.#url(p, check);
    if (url === null) return;
    await change(
      {
        status: "running",
        statusText: null,
        step: "Running",
        report: report(run, p.reporting.target, p.reporting.running),
      },
      true,
    );
    const result = await probe(url, check.expect, check.timeout, this.o.agent, signal);
    await change({
      status: result.passed ? "succeeded" : "failed",
      statusText: result.why,
      step: result.why,
      done: "run",
      report: this.#report(
        p,
        result.passed ? "succeeded" : result.timedOut ? "timeout" : "failed",
        result.why,
      ),
    });
  }

  /**
   * The name of a checks-v2 run's check, read from Vercel once and kept on the run; null when the
   * phase was left to retry or ended (Vercel refused, or the run had ended there).
   */
  async #nameOfRun(p: Phase): Promise<string | null> {
    const known = checkNameOf(p.run);
    if (known !== null) return known;
    try {
      const found = await this.o.vercel.getCheckRun(
        this.#token(p.installation),
        p.run.deploymentId,
        p.run.externalId ?? p.run.resourceId,
        p.installation.teamId,
      );
      if (found.status === "completed") {
        const text = `Vercel had ended the check run (${found.conclusion ?? "no conclusion"})`;
        await p.change({ status: "canceled", statusText: text, step: text, ...this.#done(p.run) });
        return null;
      }
      await p.change({ made: { name: found.name }, step: `Vercel's check "${found.name}"` }, true);
      return found.name;
    } catch (error) {
      await this.#refused(p, error, "Vercel did not show the check run", true);
      return null;
    }
  }

  /**
   * The v1 check's id: the one a run made before (a crash between Vercel's answer and keeping its
   * id), else a new one POSTed; null when the phase was left to retry or ended.
   */
  async #create(p: Phase, check: CheckConfig): Promise<string | null> {
    const { run, installation } = p;
    const token = this.#token(installation);
    const detailsUrl = `${this.o.detailsUrlBase}${run.id}`;
    try {
      const listed = await this.o.vercel.listChecks(token, run.deploymentId, installation.teamId);
      // The list's documented shape has no externalId, one check's has: the run's page is in both.
      const made = listed.find((c) => c.externalId === run.id || c.detailsUrl === detailsUrl);
      const id =
        made?.id ??
        (
          await this.o.vercel.createCheck(token, run.deploymentId, installation.teamId, {
            name: check.name,
            blocking: check.blocking,
            rerequestable: check.rerequestable,
            detailsUrl,
            externalId: run.id,
          })
        ).id;
      await p.change({ externalId: id, step: made ? "Found in Vercel" : "Created in Vercel" }, true);
      return id;
    } catch (error) {
      await this.#refused(p, error, "Vercel did not create the check", false);
      return null;
    }
  }

  /** The check's URL with the deployment's host and id filled in; null when the phase was left to retry or ended. */
  async #url(p: Phase, check: CheckConfig): Promise<string | null> {
    try {
      const host = (await this.#hostFromEvent(p.run)) ?? (await this.#hostFromVercel(p));
      return check.url.replaceAll("{deployment.url}", host).replaceAll("{deployment.id}", p.run.deploymentId);
    } catch (error) {
      await this.#refused(p, error, "Vercel did not show the deployment", true);
      return null;
    }
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

  async #hostFromVercel(p: Phase): Promise<string> {
    const deployment = await this.o.vercel.getDeployment(
      this.#token(p.installation),
      p.run.deploymentId,
      p.installation.teamId,
    );
    return deployment.url;
  }

  /**
   * After Vercel refused a call or did not answer: no answer, a 429 or a 5xx leaves the phase to be
   * done again later (after Vercel's `Retry-After`, if it said); another refusal ends the run
   * failed, reported to Vercel when `report` and there is something to report on. Not a Vercel
   * error: thrown on, for the runner to record.
   */
  async #refused(p: Phase, error: unknown, what: string, report: boolean): Promise<void> {
    if (!(error instanceof VercelApiError)) throw error;
    const text = `${what}: ${error.message}`;
    if (error.status === 0 || error.status === 429 || error.status >= 500) {
      await p.change({ step: text, retryAt: this.o.clock.now() + (error.retryAfterMs ?? RETRY_MS) });
      return;
    }
    if (report) await this.#end(p, text);
    else await p.change({ status: "failed", statusText: text, step: text, ...this.#done(p.run) });
  }

  /** Ends the run failed, saying why, and concludes it failed in Vercel if it is there. */
  async #end(p: Phase, why: string): Promise<void> {
    await p.change({
      status: "failed",
      statusText: why,
      step: why,
      ...this.#done(p.run),
      ...(p.run.externalId ? { report: this.#report(p, "failed", why) } : {}),
    });
  }

  #report(p: Phase, conclusion: Parameters<CheckReporting["concluded"]>[0], why: string | null) {
    return p.report(p.run, p.reporting.target, p.reporting.concluded(conclusion, why));
  }

  #done(run: ActionRun): Pick<ActionRunChange, "done"> {
    return run.phase ? { done: run.phase } : {};
  }

  #token(installation: Installation): string {
    return this.o.secrets.open(installation.accessToken ?? "", installationTokenContext(installation.id));
  }
}
