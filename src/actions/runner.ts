import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { Clock } from "../core/clock.js";
import { newReportId } from "../core/ids.js";
import type { SecretBox } from "../core/secret-box.js";
import { WakeSignal } from "../core/wake-signal.js";
import { installationTokenContext } from "../integration/token.js";
import type { VercelApi, VercelDeployment } from "../integration/vercel-api.js";
import type { ActionRun, ActionRunChange, ReportBody, ReportTarget } from "../storage/actions-port.js";
import type { Installation, Store } from "../storage/port.js";
import type { CheckPhases } from "./check-phases.js";
import { type ActionExecutor, ActionFailure } from "./executor.js";
import { type Repeat, repeatEvery, watchLease } from "./lease-watch.js";
import { ReportSender, reportContext } from "./report-sender.js";
import { gateStart } from "./run-gate.js";

/** How long a runner holds a run before another may take it (renewed while it works). */
const LEASE_MS = 60_000;
/** How often a working run's lease is renewed. */
const RENEW_MS = Math.min(LEASE_MS / 3, 2000);
/** How many phases one runner does at once. */
const MAX_WORKING = 8;
/** How long Vercel is told about a run: reports older than this are given up. */
const REPORT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface ActionRunnerOptions {
  store: Store;
  vercel: VercelApi;
  secrets: SecretBox;
  clock: Clock;
  logger: Logger;
  /** The executors of the configured actions, by slug. */
  executors: ReadonlyMap<string, { executor: ActionExecutor; timeoutMs: number }>;
  /** Where the run's page is: `statusUrl` is this followed by the run id. */
  statusUrlBase: string;
  /** A name unique to this process, for leases. */
  owner: string;
  /** How often to look for work another node left (and for expired leases); 1 s by default. */
  pollMs?: number;
  /** The phases of deployment checks' runs; none: check runs fail, saying so. */
  checks?: CheckPhases;
  /** The reports' retry schedule (tests shorten it). */
  reports?: ConstructorParameters<typeof ReportSender>[0]["policy"];
  /** How a working run's lease is renewed over time: every 2 s by default; tests tick it by hand. */
  leaseRepeat?: Repeat;
}

/**
 * Runs deployment integration actions: claims runs whose phase is due (set in the commit of the
 * event that asked), does the phase with the action's executor, records the outcome and queues
 * the report to Vercel in one transaction, and sends reports in order per run. A run is held
 * under a lease, so a crash mid-phase leaves it to be taken again (the executors are
 * idempotent) and its outcome is recorded, and reported, once.
 */
export class ActionRunner extends EventEmitter<{ idle: []; phase: [ActionRun]; report: [string] }> {
  readonly #o: ActionRunnerOptions;
  readonly #wake = new WakeSignal();
  readonly #reports: ReportSender;
  #stopped = false;
  #loop: Promise<void> | null = null;
  readonly #aborts = new Map<string, AbortController>();
  /** Phases under way: they run beside the loop, which goes on sending reports (a `running` one too). */
  readonly #working = new Map<string, Promise<void>>();

  constructor(options: ActionRunnerOptions) {
    super();
    this.#o = options;
    this.#reports = new ReportSender({
      store: options.store,
      vercel: options.vercel,
      secrets: options.secrets,
      clock: options.clock,
      logger: options.logger,
      owner: options.owner,
      ...(options.reports ? { policy: options.reports } : {}),
    });
    this.#reports.on("report", (id) => this.emit("report", id));
  }

  /** Starts the loop. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** New work was committed on this node: look now. */
  notify(): void {
    this.#wake.wake();
  }

  /** Stops taking work, aborts what runs (its lease lets it be taken again), and waits. */
  async close(): Promise<void> {
    this.#stopped = true;
    for (const abort of this.#aborts.values()) abort.abort();
    this.#wake.wake();
    await this.#loop;
    await Promise.all(this.#working.values());
    // What the stopped phases queued goes out before the store closes.
    await this.#reports.sendDue().catch(() => 0);
    await Promise.all([...this.#o.executors.values()].map((e) => e.executor.close()));
  }

  async #run(): Promise<void> {
    const pollMs = this.#o.pollMs ?? 1000;
    if (this.#o.store.capabilities.releaseAllLeasesAtStart) {
      // One process serves this store: what a killed one held is due now, not when its lease ends.
      await this.#o.store.actions.releaseLeases().catch((error: unknown) => {
        this.#o.logger.error({ err: error }, "deployment actions: leases were not released at start");
      });
    }
    while (!this.#stopped) {
      this.#wake.reset();
      let worked = false;
      try {
        worked = (await this.#tick()) > 0;
      } catch (error) {
        this.#o.logger.error({ err: error }, "deployment actions: a pass failed");
      }
      if (this.#stopped) break;
      if (worked) continue;
      this.emit("idle");
      const next = await this.#o.store.actions.nextDueAt().catch(() => null);
      const now = this.#o.clock.now();
      await this.#wake.sleep(next === null ? pollMs : Math.min(pollMs, Math.max(0, next - now)));
    }
  }

  /**
   * One pass: starts the due phases (up to `MAX_WORKING` at once, each beside the loop), then sends
   * the due reports; how many were started or sent.
   */
  async #tick(): Promise<number> {
    const { store, clock, owner } = this.#o;
    const now = clock.now();
    const room = MAX_WORKING - this.#working.size;
    const runs = room > 0 ? await store.actions.claimRuns(owner, now, now + LEASE_MS, room) : [];
    for (const run of runs) {
      // Still at work here, its lease run out before the watch renewed it (the process stalled):
      // the claim made it ours again, and the work under way goes on rather than starting twice.
      if (this.#working.has(run.id)) continue;
      const work = this.#phase(run)
        .catch((error: unknown) =>
          this.#o.logger.error(
            { err: error, run: run.id },
            "deployment action: its outcome was not recorded",
          ),
        )
        .finally(() => {
          this.#working.delete(run.id);
          this.#wake.wake();
        });
      this.#working.set(run.id, work);
    }
    const sent = await this.#reports.sendDue();
    return runs.length + sent;
  }

  async #phase(run: ActionRun): Promise<void> {
    if (run.kind === "check") return this.#check(run);
    try {
      if (run.phase === "start") await this.#start(run);
      else if (run.phase === "cancel") await this.#undo(run, "cancel");
      else if (run.phase === "cleanup") await this.#undo(run, "cleanup");
    } catch (error) {
      this.#o.logger.error({ err: error, run: run.id, action: run.action }, "deployment action failed");
      await this.#change(run, {
        status: run.phase === "start" ? "failed" : run.status,
        statusText:
          run.phase === "start" ? "Switchyard could not run the action; its logs say why" : run.statusText,
        step: `Failed: ${(error as Error).message}`,
        ...(run.phase ? { done: run.phase } : {}),
        ...(run.phase === "start"
          ? {
              report: this.#report(run, {
                status: "failed",
                statusText: "Switchyard could not run the action; its logs say why",
              }),
            }
          : {}),
      });
    }
    this.emit("phase", run);
  }

  async #check(run: ActionRun): Promise<void> {
    const abort = new AbortController();
    this.#aborts.set(run.id, abort);
    // A check's request may take its whole timeout (up to 10 min): the lease is kept meanwhile, and
    // a cancel asked meanwhile stops it. The cancel phase is not watched: it is what a cancel asks.
    const watch = run.phase === "cancel" ? null : this.#watch(run, abort);
    try {
      if (!this.#o.checks) throw new Error("deployment checks are not configured on this server");
      await this.#o.checks.do(
        run,
        abort.signal,
        (change, keep) => this.#change(run, change, keep),
        (r, target, body) => this.#sealed(r, target, body),
      );
    } catch (error) {
      if (abort.signal.aborted) {
        // Stopped: this process is closing (the run is let go for another to take), a cancel was
        // asked (its phase takes the run), or the lease was lost (the change is refused: the run is
        // another's now).
        await this.#change(run, { step: "Stopped" }).catch(() => {});
      } else {
        this.#o.logger.error({ err: error, run: run.id, check: run.action }, "deployment check failed");
        await this.#change(run, {
          status: "failed",
          statusText: "Switchyard could not run the check; its logs say why",
          step: `Failed: ${(error as Error).message}`,
          ...(run.phase ? { done: run.phase } : {}),
        }).catch(() => {});
      }
    } finally {
      watch?.stop();
      this.#aborts.delete(run.id);
    }
    this.emit("phase", run);
  }

  async #start(run: ActionRun): Promise<void> {
    const configured = this.#o.executors.get(run.action);
    const installation = await this.#o.store.installations.get(run.tenant);
    if (installation?.status !== "active" || !installation.accessToken) {
      // No token to report with: the run ends here, and says so on its page.
      await this.#change(run, {
        status: "failed",
        statusText: "Unknown installation",
        step: "The installation is not active here",
        done: "start",
      });
      return;
    }
    if (!configured) {
      const statusText = `The action "${run.action}" is not configured on this server`;
      await this.#change(run, {
        status: "failed",
        statusText,
        step: statusText,
        done: "start",
        report: this.#report(run, { status: "failed", statusText }),
      });
      return;
    }
    let deployment: Promise<VercelDeployment> | null = null;
    const deploymentOf = () => (deployment ??= this.#deployment(run, installation));
    const gated = await gateStart(run, installation.runSettings, deploymentOf);
    if (gated) {
      await this.#change(run, {
        ...gated,
        step: gated.statusText,
        done: "start",
        report: this.#report(run, gated),
      });
      return;
    }
    const { executor, timeoutMs } = configured;
    await this.#change(
      run,
      {
        status: "running",
        statusText: executor.runningText,
        step: "Started",
        report: this.#report(run, { status: "running", statusText: executor.runningText }),
      },
      true,
    );
    const abort = new AbortController();
    this.#aborts.set(run.id, abort);
    const timer = setTimeout(
      () => abort.abort(new ActionFailure(`The action took longer than ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    const watch = this.#watch(run, abort);
    try {
      const result = await executor.start({
        run,
        installation,
        deployment: deploymentOf,
        eventBody: () => this.#eventBody(run),
        signal: abort.signal,
        step: async (text) => {
          await this.#change(run, { step: text }, true);
        },
      });
      const statusText = result.statusText ?? "Done";
      await this.#change(run, {
        status: "succeeded",
        statusText,
        made: result.made,
        step: statusText,
        done: "start",
        report: this.#report(run, {
          status: "succeeded",
          statusText,
          ...(result.secrets.length > 0
            ? { outcomes: [{ kind: "resource-secrets", secrets: result.secrets }] }
            : {}),
        }),
      });
    } catch (error) {
      if (abort.signal.aborted && !(abort.signal.reason instanceof ActionFailure)) {
        // Canceled (or this process stopping): the lease, or the cancel phase, takes it from here.
        await this.#change(run, { step: "Stopped" }).catch(() => {});
        return;
      }
      const failure = abort.signal.reason instanceof ActionFailure ? abort.signal.reason : error;
      if (!(failure instanceof ActionFailure)) throw failure;
      await this.#change(run, {
        status: "failed",
        statusText: failure.message,
        step: failure.message,
        done: "start",
        report: this.#report(run, { status: "failed", statusText: failure.message }),
      });
    } finally {
      clearTimeout(timer);
      watch.stop();
      this.#aborts.delete(run.id);
    }
  }

  /** Renews the lease while a phase works; aborts it when the lease was lost or a cancel asked for. */
  #watch(run: ActionRun, abort: AbortController): { stop(): void } {
    const { store, clock, owner } = this.#o;
    const repeat = this.#o.leaseRepeat ?? repeatEvery;
    return watchLease({ store, clock, owner, repeat, everyMs: RENEW_MS }, run, abort);
  }

  async #undo(run: ActionRun, phase: "cancel" | "cleanup"): Promise<void> {
    const executor = this.#o.executors.get(run.action)?.executor;
    const key = executor?.sharedKey;
    const value = key ? run.made?.[key] : undefined;
    const others =
      key && typeof value === "string"
        ? (await this.#o.store.actions.runsSharing(run.tenant, run.action, key, value)).filter(
            (r) => r.id !== run.id,
          )
        : [];
    const stillUsed = others.length > 0;
    if (executor) {
      if (phase === "cancel") await executor.cancel(run, stillUsed);
      else await executor.cleanup(run, stillUsed);
    }
    const kept = stillUsed
      ? ` (kept: ${others.length} other deployment${others.length === 1 ? "" : "s"} use it)`
      : "";
    await this.#change(run, {
      status: phase === "cancel" ? "canceled" : "cleaned",
      step: `${phase === "cancel" ? "Canceled" : "Cleaned up"}${kept}`,
      done: phase,
    });
  }

  async #change(run: ActionRun, change: ActionRunChange, keepLease = false): Promise<void> {
    const held = await this.#o.store.actions.changeRun(
      run.id,
      this.#o.owner,
      change,
      this.#o.clock.now(),
      keepLease,
    );
    if (!held) throw new Error(`the lease of run ${run.id} was lost`);
  }

  /** A report for the run's queue, its body sealed (it may carry secrets). */
  #report(run: ActionRun, body: ReportBody): NonNullable<ActionRunChange["report"]> {
    return this.#sealed(run, "action", { ...body, statusUrl: `${this.#o.statusUrlBase}${run.id}` });
  }

  /** A report to `target` for the run's queue, its body sealed. */
  #sealed(run: ActionRun, target: ReportTarget, body: object): NonNullable<ActionRunChange["report"]> {
    const id = newReportId(this.#o.clock.now());
    return {
      id,
      target,
      body: this.#o.secrets.seal(JSON.stringify(body), reportContext(run.id)),
      deadlineAt: this.#o.clock.now() + REPORT_MAX_AGE_MS,
    };
  }

  async #deployment(run: ActionRun, installation: Installation): Promise<VercelDeployment> {
    const token = this.#o.secrets.open(
      installation.accessToken ?? "",
      installationTokenContext(installation.id),
    );
    try {
      return await this.#o.vercel.getDeployment(token, run.deploymentId, installation.teamId);
    } catch (error) {
      throw new ActionFailure(
        `Vercel did not show deployment ${run.deploymentId}: ${(error as Error).message}`,
      );
    }
  }

  async #eventBody(run: ActionRun): Promise<Uint8Array> {
    const event = await this.#o.store.forTenant(run.tenant).getEvent(run.eventId);
    if (!event) throw new ActionFailure("The start event is no longer stored");
    return event.body;
  }
}
