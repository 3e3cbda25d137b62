import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { Clock } from "../core/clock.js";
import { DEFAULT_RETRY_POLICY, nextAttemptAt, type RetryPolicy } from "../core/retry-schedule.js";
import type { SecretBox } from "../core/secret-box.js";
import { installationTokenContext } from "../integration/token.js";
import {
  type ActionUpdate,
  type CheckRunUpdate,
  type CheckUpdate,
  type VercelApi,
  VercelApiError,
} from "../integration/vercel-api.js";
import type { ActionReport, ReportAttempt } from "../storage/actions-port.js";
import type { Store } from "../storage/port.js";

/** Where a report's body is sealed: it may carry a resource secret. */
export function reportContext(runId: string): string {
  return `${runId}/action/report`;
}

const LEASE_MS = 60_000;

/**
 * Sends the queued reports of deployment integration actions and checks to Vercel (`PATCH
 * …/actions/…`, `…/checks/…` or `/v2/…/check-runs/…`, as the report's target says), the oldest of
 * each run first: a 2xx ends it `sent`; a 410 `gone` (the action no longer exists);
 * a 429 (after Vercel's `Retry-After`), a 5xx or no answer is retried on the delivery schedule
 * until its deadline; another refusal ends it `failed`.
 */
export class ReportSender extends EventEmitter<{ report: [string] }> {
  readonly #policy: RetryPolicy;

  constructor(
    private readonly o: {
      store: Store;
      vercel: VercelApi;
      secrets: SecretBox;
      clock: Clock;
      logger: Logger;
      owner: string;
      policy?: RetryPolicy;
    },
  ) {
    super();
    this.#policy = o.policy ?? DEFAULT_RETRY_POLICY;
  }

  /** Sends the reports that are due; how many were tried. */
  async sendDue(): Promise<number> {
    const now = this.o.clock.now();
    const reports = await this.o.store.actions.claimReports(this.o.owner, now, now + LEASE_MS, 16);
    await Promise.all(reports.map((r) => this.#send(r)));
    return reports.length;
  }

  async #send(report: ActionReport): Promise<void> {
    const { store, secrets, vercel, clock } = this.o;
    const found = await store.actions.getRun(report.runId, report.tenant);
    const installation = await store.installations.get(report.tenant);
    const started = clock.now();
    if (!found || !installation?.accessToken) {
      await this.#record(
        report,
        { at: started, status: null, durationMs: 0, error: "the installation is gone" },
        { state: "failed" },
      );
      return;
    }
    const { run } = found;
    const token = secrets.open(installation.accessToken, installationTokenContext(installation.id));
    const body: unknown = JSON.parse(secrets.open(report.body, reportContext(run.id)));
    try {
      if (report.target === "action") {
        const target = {
          deploymentId: run.deploymentId,
          installationId: run.tenant,
          resourceId: run.resourceId,
          action: run.action,
        };
        await vercel.updateAction(token, target, body as ActionUpdate);
      } else if (report.target === "check") {
        const checkId = run.externalId ?? "";
        await vercel.updateCheck(token, run.deploymentId, checkId, installation.teamId, body as CheckUpdate);
      } else {
        const checkRunId = run.externalId ?? "";
        await vercel.updateCheckRun(
          token,
          run.deploymentId,
          checkRunId,
          installation.teamId,
          body as CheckRunUpdate,
        );
      }
      await this.#record(
        report,
        { at: started, status: 202, durationMs: clock.now() - started, error: null },
        { state: "sent" },
      );
    } catch (error) {
      if (!(error instanceof VercelApiError)) throw error;
      const attempt: ReportAttempt = {
        at: started,
        status: error.status === 0 ? null : error.status,
        durationMs: clock.now() - started,
        error: error.message,
      };
      if (error.status === 410) return this.#record(report, attempt, { state: "gone" });
      const retryable = error.status === 0 || error.status === 429 || error.status >= 500;
      const next = retryable
        ? nextAttemptAt(
            { ...this.#policy, maxAge: report.deadlineAt - report.createdAt },
            {
              attemptsMade: report.attempts.length + 1,
              eventReceivedAt: report.createdAt,
              now: clock.now(),
              random: Math.random,
              retryAfterMs: error.retryAfterMs ?? undefined,
            },
          )
        : null;
      if (next === null)
        this.o.logger.warn({ run: run.id, status: error.status, code: error.code }, "action report given up");
      await this.#record(
        report,
        attempt,
        next === null ? { state: "failed" } : { state: "pending", nextAttemptAt: next },
      );
    }
  }

  async #record(
    report: ActionReport,
    attempt: ReportAttempt,
    next: { state: "pending"; nextAttemptAt: number } | { state: "sent" | "gone" | "failed" },
  ): Promise<void> {
    await this.o.store.actions.recordReport(report.id, this.o.owner, attempt, next);
    this.emit("report", report.id);
  }
}
