// Deployment integration action runs and their reports to Vercel, on every backend: the commands
// an event asks for are applied in its transaction and only when it is not a duplicate; runs are
// claimed under a lease, changed only by their holder, and a phase asked for meanwhile survives
// the holder's `done`; each run's reports go out one at a time, oldest first; another tenant's id
// finds nothing; a tenant's purge and the retention pass delete runs and reports.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { ActionCommand, ActionPhase } from "../../../src/core/action-types.js";
import { newActionRunId, newReportId } from "../../../src/core/ids.js";
import type { ActionRunChange, ReportAttempt } from "../../../src/storage/actions-port.js";
import type { Store } from "../../../src/storage/port.js";
import { DAY, event, ids, storeHarness, T } from "./harness.js";

const harness = storeHarness();
let store: Store;
let db: Awaited<ReturnType<typeof harness.fresh>>;
beforeEach(async () => {
  db = await harness.fresh();
  store = db.store;
});
afterAll(() => harness.cleanup());

/** Another node on the same database (PostgreSQL); SQLite serves one process, so its own store. */
const anotherNode = () => (harness.dialect === "postgres" ? db.again() : Promise.resolve(store));

const A = "icfg_acme";
const B = "icfg_bolt";
const LEASE = 30_000;

/** A command of `tenant` for deployment `deployment`'s branch action on resource `res_1`. */
function command(
  phase: ActionPhase,
  deployment: string,
  overrides: Partial<ActionCommand> = {},
): ActionCommand {
  return {
    tenant: A,
    deploymentId: deployment,
    resourceId: "res_1",
    action: "branch",
    phase,
    runId: newActionRunId(T),
    projectId: "prj_1",
    ...overrides,
  };
}

let sent = 0;

/** Stores one event asking for `commands`, with an external id of its own unless given one. */
async function ask(at: number, commands: ActionCommand[], externalId: string | null = `ext_${++sent}`) {
  const e = event(at, { tenant: commands[0]?.tenant ?? A, externalId, actions: commands });
  const [result] = await store.insertEvents([e]);
  return { event: e, result };
}

/** The run of a deployment of `tenant` (the tests make at most one), or null. */
async function runOf(deployment: string, tenant = A) {
  const runs = await store.actions.listRuns({ tenant, deploymentId: deployment, limit: 10 });
  expect(runs.length).toBeLessThanOrEqual(1);
  return runs[0] ?? null;
}

const attempt = (at: number, status: number | null = 200): ReportAttempt => ({
  at,
  status,
  durationMs: 12,
  error: status === null ? "connect ECONNREFUSED" : null,
});

const report = (at: number, body = "sealed:report"): NonNullable<ActionRunChange["report"]> => ({
  id: newReportId(at),
  body,
  deadlineAt: at + DAY,
});

describe("commands of an ingested event", () => {
  it("start makes one run per key: a repeat with another event id finds the same run", async () => {
    const first = command("start", "dpl_1");
    const { event: e } = await ask(T, [first]);
    const run = await runOf("dpl_1");
    expect(run).toEqual({
      id: first.runId,
      kind: "action",
      externalId: null,
      tenant: A,
      deploymentId: "dpl_1",
      resourceId: "res_1",
      action: "branch",
      projectId: "prj_1",
      eventId: e.id,
      status: "queued",
      statusText: null,
      phase: "start",
      made: null,
      steps: [],
      createdAt: T,
      updatedAt: T,
      nextRunAt: null,
    });

    // Vercel asks again (a new delivery of the start, another event id): no second run.
    const again = command("start", "dpl_1", { runId: newActionRunId(T + 5) });
    const { result } = await ask(T + 5, [again]);
    expect(result?.duplicate).toBe(false);
    expect(await store.actions.listRuns({ limit: 10 })).toEqual([run]);
    expect(await store.actions.getRun(again.runId)).toBeNull();

    // Another resource, action or tenant is another run.
    await ask(T + 6, [command("start", "dpl_1", { resourceId: "res_2" })]);
    await ask(T + 7, [command("start", "dpl_1", { action: "seed" })]);
    await ask(T + 8, [command("start", "dpl_1", { tenant: B })]);
    expect(await store.actions.listRuns({ limit: 10 })).toHaveLength(4);
  });

  it("a duplicate event applies nothing, in another batch or in the same one", async () => {
    await ask(T, [command("start", "dpl_1")], "delivery-1");
    const before = await runOf("dpl_1");
    const { result } = await ask(T + 1, [command("cancel", "dpl_1")], "delivery-1");
    expect(result?.duplicate).toBe(true);
    expect(await runOf("dpl_1")).toEqual(before);

    const first = event(T + 2, { tenant: A, externalId: "delivery-2", actions: [command("start", "dpl_2")] });
    const copy = event(T + 2, { tenant: A, externalId: "delivery-2", actions: [command("cancel", "dpl_3")] });
    const results = await store.insertEvents([first, copy]);
    expect(results.map((r) => r.duplicate)).toEqual([false, true]);
    expect((await runOf("dpl_2"))?.phase).toBe("start");
    expect(await runOf("dpl_3")).toBeNull();
  });

  it("applies a batch's commands in order, beside events that ask for none", async () => {
    const plain = event(T, { tenant: A, externalId: "plain" });
    const asks = event(T + 1, {
      tenant: A,
      externalId: "asks",
      actions: [command("start", "dpl_1"), command("cancel", "dpl_1")],
    });
    const later = event(T + 2, { tenant: A, externalId: "later", actions: [command("start", "dpl_2")] });
    const results = await store.insertEvents([plain, asks, later]);
    expect(results.map((r) => r.duplicate)).toEqual([false, false, false]);
    expect(await runOf("dpl_1")).toMatchObject({ status: "queued", phase: "cancel", eventId: asks.id });
    expect(await runOf("dpl_2")).toMatchObject({ status: "queued", phase: "start", eventId: later.id });
    expect(ids(await store.forTenant(A).listEvents({ limit: 10 }))).toEqual([later.id, asks.id, plain.id]);
  });

  it("cancel: a run's phase becomes cancel unless it ended canceled or cleaned; a key with no run gets a canceled one", async () => {
    await ask(T, [command("start", "dpl_1")]);
    await ask(T + 1, [command("cancel", "dpl_1")]);
    expect(await runOf("dpl_1")).toMatchObject({ status: "queued", phase: "cancel", updatedAt: T + 1 });

    const none = command("cancel", "dpl_2");
    const { event: e } = await ask(T + 2, [none]);
    expect(await runOf("dpl_2")).toMatchObject({
      id: none.runId,
      eventId: e.id,
      status: "canceled",
      phase: null,
      createdAt: T + 2,
    });
    // A start after the cancel finds the run: nothing to do.
    await ask(T + 3, [command("start", "dpl_2")]);
    expect(await runOf("dpl_2")).toMatchObject({ status: "canceled", phase: null, updatedAt: T + 2 });

    // A run that ended canceled (or cleaned) keeps its phase, even one it still has.
    await ask(T + 4, [command("cleanup", "dpl_2")]);
    expect(await runOf("dpl_2")).toMatchObject({ status: "canceled", phase: "cleanup" });
    await ask(T + 5, [command("cancel", "dpl_2")]);
    expect(await runOf("dpl_2")).toMatchObject({ status: "canceled", phase: "cleanup", updatedAt: T + 4 });
  });

  it("cleanup: a run's phase becomes cleanup unless it is cleaned; a key with no run: nothing", async () => {
    await ask(T, [command("start", "dpl_1")]);
    await ask(T + 1, [command("cleanup", "dpl_1")]);
    expect(await runOf("dpl_1")).toMatchObject({ phase: "cleanup", updatedAt: T + 1 });
    await ask(T + 2, [command("cleanup", "dpl_none")]);
    expect(await runOf("dpl_none")).toBeNull();

    const [run] = await store.actions.claimRuns("w1", T + 3, T + 3 + LEASE, 10);
    expect(
      await store.actions.changeRun(run?.id ?? "", "w1", { status: "cleaned", done: "cleanup" }, T + 4),
    ).toBe(true);
    await ask(T + 5, [command("cleanup", "dpl_1")]);
    expect(await runOf("dpl_1")).toMatchObject({ status: "cleaned", phase: null, updatedAt: T + 4 });
  });
});

describe("claims and changes of runs", () => {
  it("claims due runs with a phase, oldest first, each under one lease", async () => {
    const first = command("start", "dpl_1", { runId: newActionRunId(T) });
    const second = command("start", "dpl_2", { runId: newActionRunId(T + 1) });
    const third = command("start", "dpl_3", { runId: newActionRunId(T + 2) });
    await ask(T + 2, [third]);
    await ask(T + 2, [first, second]);
    await ask(T + 2, [command("cancel", "dpl_gone")]); // canceled with nothing to do

    expect(ids(await store.actions.claimRuns("w1", T + 10, T + 10 + LEASE, 2))).toEqual([
      first.runId,
      second.runId,
    ]);
    expect(ids(await store.actions.claimRuns("w2", T + 11, T + 11 + LEASE, 10))).toEqual([third.runId]);
    expect(await store.actions.claimRuns("w2", T + 12, T + 12 + LEASE, 10)).toEqual([]);
    expect(await store.actions.claimRuns("w2", T + 10 + LEASE, T + 10 + 2 * LEASE, 10)).toEqual([]);
    // A lease that ran out is taken over.
    expect(ids(await store.actions.claimRuns("w2", T + 11 + LEASE, T + 11 + 2 * LEASE, 10))).toEqual([
      first.runId,
      second.runId,
    ]);
    expect(await store.actions.claimRuns("w3", T + 12 + LEASE, T + 12 + 2 * LEASE, 0)).toEqual([]);
  });

  it("changes a held run and releases it: status, text, what it made, a step, its phase done", async () => {
    await ask(T, [command("start", "dpl_1")]);
    const [run] = await store.actions.claimRuns("w1", T + 1, T + 1 + LEASE, 10);
    const id = run?.id ?? "";
    expect(run).toMatchObject({ phase: "start", status: "queued" });

    expect(
      await store.actions.changeRun(
        id,
        "w1",
        { status: "running", statusText: "Branching", step: "branch asked for" },
        T + 2,
        true,
      ),
    ).toBe(true);
    expect(
      await store.actions.changeRun(
        id,
        "w1",
        {
          status: "succeeded",
          statusText: null,
          made: { branchId: "br_1", database: "db_main" },
          step: "branch br_1 made",
          done: "start",
        },
        T + 3,
      ),
    ).toBe(true);
    const detail = await store.actions.getRun(id);
    expect(detail?.run).toMatchObject({
      status: "succeeded",
      statusText: null,
      phase: null,
      made: { branchId: "br_1", database: "db_main" },
      steps: [
        { at: T + 2, text: "branch asked for" },
        { at: T + 3, text: "branch br_1 made" },
      ],
      updatedAt: T + 3,
      nextRunAt: null,
    });
    // Released: its holder changes it no more, and with no phase nobody claims it.
    expect(await store.actions.changeRun(id, "w1", { step: "late" }, T + 4)).toBe(false);
    expect(await store.actions.claimRuns("w2", T + 5, T + 5 + LEASE, 10)).toEqual([]);
    // An absent field stays; made can be cleared.
    await ask(T + 6, [command("cleanup", "dpl_1")]);
    await store.actions.claimRuns("w2", T + 7, T + 7 + LEASE, 10);
    expect(await store.actions.changeRun(id, "w2", { made: null }, T + 8)).toBe(true);
    expect((await store.actions.getRun(id))?.run).toMatchObject({
      status: "succeeded",
      made: null,
      phase: "cleanup",
    });
  });

  it("cancel while a run is held: the phase becomes cancel and the holder's done start does not clear it", async () => {
    await ask(T, [command("start", "dpl_1")]);
    const [run] = await store.actions.claimRuns("w1", T + 1, T + 1 + LEASE, 10);
    const id = run?.id ?? "";
    await ask(T + 2, [command("cancel", "dpl_1")]);
    expect((await store.actions.getRun(id))?.run.phase).toBe("cancel");
    // Still held: nobody else claims it before the holder lets it go.
    expect(await store.actions.claimRuns("w2", T + 3, T + 3 + LEASE, 10)).toEqual([]);

    expect(
      await store.actions.changeRun(
        id,
        "w1",
        { status: "succeeded", made: { branchId: "br_1" }, done: "start" },
        T + 4,
      ),
    ).toBe(true);
    expect((await store.actions.getRun(id))?.run).toMatchObject({
      status: "succeeded",
      phase: "cancel",
      made: { branchId: "br_1" },
    });
    const [again] = await store.actions.claimRuns("w2", T + 5, T + 5 + LEASE, 10);
    expect(again).toMatchObject({ id, phase: "cancel", made: { branchId: "br_1" } });
    expect(
      await store.actions.changeRun(id, "w2", { status: "canceled", made: null, done: "cancel" }, T + 6),
    ).toBe(true);
    expect((await store.actions.getRun(id))?.run).toMatchObject({ status: "canceled", phase: null });
  });

  it("a lost lease: the holder's change is refused once another owner took the run over", async () => {
    await ask(T, [command("start", "dpl_1")]);
    const [run] = await store.actions.claimRuns("w1", T + 1, T + 1 + LEASE, 10);
    const id = run?.id ?? "";
    // The lease ran out and w2 took over: w1's change, and the report with it, do nothing.
    expect(ids(await store.actions.claimRuns("w2", T + 2 + LEASE, T + 2 + 2 * LEASE, 10))).toEqual([id]);
    expect(
      await store.actions.changeRun(
        id,
        "w1",
        { status: "succeeded", step: "late", done: "start", report: report(T + 3 + LEASE) },
        T + 3 + LEASE,
      ),
    ).toBe(false);
    const detail = await store.actions.getRun(id);
    expect(detail?.run).toMatchObject({ status: "queued", phase: "start", steps: [] });
    expect(detail?.reports).toEqual([]);
    expect(await store.actions.changeRun(id, "w2", { step: "mine" }, T + 4 + LEASE)).toBe(true);
    expect(await store.actions.changeRun(id, "nobody", { step: "x" }, T + 5 + LEASE)).toBe(false);
    expect(await store.actions.changeRun("act_none", "w2", { step: "x" }, T + 5 + LEASE)).toBe(false);
  });

  it("a lease that ran out with nobody taking over is still its owner's", async () => {
    await ask(T, [command("start", "dpl_1")]);
    const [run] = await store.actions.claimRuns("w1", T + 1, T + 1 + LEASE, 10);
    expect(
      await store.actions.changeRun(
        run?.id ?? "",
        "w1",
        { status: "succeeded", done: "start" },
        T + 5 * LEASE,
      ),
    ).toBe(true);
    expect((await store.actions.getRun(run?.id ?? ""))?.run).toMatchObject({
      status: "succeeded",
      phase: null,
    });
  });

  it("keepLease renews the lease by its length from now", async () => {
    await ask(T, [command("start", "dpl_1")]);
    const [run] = await store.actions.claimRuns("w1", T, T + LEASE, 10);
    const id = run?.id ?? "";
    expect(await store.actions.changeRun(id, "w1", { step: "still at it" }, T + 20_000, true)).toBe(true);
    // The first lease would have run out at T + LEASE; the renewed one runs to T + 20s + LEASE.
    expect(await store.actions.claimRuns("w2", T + LEASE + 1, T + 2 * LEASE, 10)).toEqual([]);
    expect(await store.actions.claimRuns("w2", T + 20_000 + LEASE, T + 3 * LEASE, 10)).toEqual([]);
    expect(ids(await store.actions.claimRuns("w2", T + 20_001 + LEASE, T + 3 * LEASE, 10))).toEqual([id]);
  });

  it("retryAt keeps the phase and holds the run back until then", async () => {
    await ask(T, [command("start", "dpl_1")]);
    const [run] = await store.actions.claimRuns("w1", T + 1, T + 1 + LEASE, 10);
    const id = run?.id ?? "";
    expect(
      await store.actions.changeRun(id, "w1", { step: "provider busy", retryAt: T + 60_000 }, T + 2),
    ).toBe(true);
    expect((await store.actions.getRun(id))?.run).toMatchObject({ phase: "start", nextRunAt: T + 60_000 });
    expect(await store.actions.nextDueAt()).toBe(T + 60_000);
    expect(await store.actions.claimRuns("w1", T + 59_999, T + 59_999 + LEASE, 10)).toEqual([]);
    expect(ids(await store.actions.claimRuns("w1", T + 60_000, T + 60_000 + LEASE, 10))).toEqual([id]);
  });

  it("a phase an event asks for is due at once: neither a retry's wait nor the holder's retry holds it back", async () => {
    await ask(T, [command("start", "dpl_1"), command("start", "dpl_2")]);
    const [one, two] = await store.actions.claimRuns("w1", T + 1, T + 1 + LEASE, 10);
    // dpl_1 waits for its retry when a cleanup arrives.
    await store.actions.changeRun(one?.id ?? "", "w1", { retryAt: T + 60_000 }, T + 2);
    await ask(T + 3, [command("cleanup", "dpl_1")]);
    expect((await store.actions.getRun(one?.id ?? ""))?.run).toMatchObject({
      phase: "cleanup",
      nextRunAt: null,
    });
    // dpl_2 is held when a cancel arrives; its holder then asks to retry the start.
    await ask(T + 4, [command("cancel", "dpl_2")]);
    expect(
      await store.actions.changeRun(
        two?.id ?? "",
        "w1",
        { step: "provider busy", retryAt: T + 60_000 },
        T + 5,
      ),
    ).toBe(true);
    expect((await store.actions.getRun(two?.id ?? ""))?.run).toMatchObject({
      phase: "cancel",
      nextRunAt: null,
    });
    expect(await store.actions.nextDueAt()).toBe(T + 3);
    const claimed = await store.actions.claimRuns("w2", T + 6, T + 6 + LEASE, 10);
    expect(claimed.map((r) => [r.id, r.phase])).toEqual([
      [one?.id, "cleanup"],
      [two?.id, "cancel"],
    ]);
  });

  it("two owners claiming at once never get the same run", async () => {
    const commands = Array.from({ length: 40 }, (_, i) => command("start", `dpl_${i}`));
    await ask(T, commands);
    const other = await anotherNode();
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? store : other).actions.claimRuns(`w${i}`, T + 1, T + 1 + LEASE, 7),
      ),
    );
    const claimed = claims.flatMap((c) => ids(c));
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual(commands.map((c) => c.runId).sort());
  });
});

describe("reports to Vercel", () => {
  /** A run held by `w1`, with `n` reports queued behind one another. */
  async function runWithReports(n: number, deployment = "dpl_1") {
    await ask(T, [command("start", deployment)]);
    const [run] = await store.actions.claimRuns("w1", T + 1, T + 1 + LEASE, 10);
    const id = run?.id ?? "";
    const queued: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = report(T + 2 + i, `sealed:${i}`);
      queued.push(r.id);
      expect(await store.actions.changeRun(id, "w1", { report: r }, T + 2 + i, true)).toBe(true);
    }
    return { id, queued };
  }

  it("releaseLeases frees every held run and report at once; the old holder's change is refused", async () => {
    // The run is held by w1 (its phase still to do), its report by s1.
    const { id, queued } = await runWithReports(1);
    expect(ids(await store.actions.claimReports("s1", T + 10, T + 10 + LEASE, 10))).toEqual(queued);
    expect(await store.actions.claimRuns("w2", T + 11, T + 11 + LEASE, 10)).toEqual([]);
    expect(await store.actions.claimReports("s2", T + 11, T + 11 + LEASE, 10)).toEqual([]);

    await store.actions.releaseLeases();
    expect(await store.actions.nextDueAt()).toBeLessThanOrEqual(T + 11);
    expect(ids(await store.actions.claimRuns("w2", T + 11, T + 11 + LEASE, 10))).toEqual([id]);
    expect(ids(await store.actions.claimReports("s2", T + 11, T + 11 + LEASE, 10))).toEqual(queued);
    expect(await store.actions.changeRun(id, "w1", { step: "late" }, T + 12)).toBe(false);
    expect(await store.actions.changeRun(id, "w2", { step: "mine" }, T + 12)).toBe(true);
    expect(await store.actions.recordReport(queued[0] ?? "", "s1", attempt(T + 12), { state: "sent" })).toBe(
      false,
    );
  });

  it("queues a report with the change that makes it, pending and due at once", async () => {
    const { id, queued } = await runWithReports(1);
    expect((await store.actions.getRun(id))?.reports).toEqual([
      {
        id: queued[0],
        runId: id,
        tenant: A,
        target: "action",
        body: "sealed:0",
        state: "pending",
        attempts: [],
        nextAttemptAt: T + 2,
        deadlineAt: T + 2 + DAY,
        createdAt: T + 2,
      },
    ]);
  });

  it("claims the reports of one run one at a time, oldest first", async () => {
    const { id, queued } = await runWithReports(3);
    const other = await runWithReports(1, "dpl_2");
    const first = await store.actions.claimReports("s1", T + 10, T + 10 + LEASE, 10);
    expect(ids(first)).toEqual([queued[0], other.queued[0]]);
    // The head is held: the run's next report waits for it.
    expect(await store.actions.claimReports("s2", T + 11, T + 11 + LEASE, 10)).toEqual([]);

    // A failed try puts it back, due later; the next still waits behind it.
    expect(
      await store.actions.recordReport(queued[0] ?? "", "s1", attempt(T + 12, 503), {
        state: "pending",
        nextAttemptAt: T + 5_000,
      }),
    ).toBe(true);
    expect(await store.actions.claimReports("s2", T + 13, T + 13 + LEASE, 10)).toEqual([]);
    expect(await store.actions.nextDueAt()).toBe(T + 5_000);
    const retried = await store.actions.claimReports("s2", T + 5_000, T + 5_000 + LEASE, 10);
    expect(ids(retried)).toEqual([queued[0]]);
    expect(retried[0]?.attempts).toEqual([attempt(T + 12, 503)]);
    expect(
      await store.actions.recordReport(queued[0] ?? "", "s2", attempt(T + 5_001), { state: "sent" }),
    ).toBe(true);

    expect(ids(await store.actions.claimReports("s2", T + 5_002, T + 5_002 + LEASE, 10))).toEqual([
      queued[1],
    ]);
    // Gone (410) and failed end a report too: the next one goes.
    expect(
      await store.actions.recordReport(queued[1] ?? "", "s2", attempt(T + 5_003, 410), { state: "gone" }),
    ).toBe(true);
    expect(ids(await store.actions.claimReports("s2", T + 5_004, T + 5_004 + LEASE, 10))).toEqual([
      queued[2],
    ]);
    expect(
      await store.actions.recordReport(queued[2] ?? "", "s2", attempt(T + 5_005, null), { state: "failed" }),
    ).toBe(true);
    expect(await store.actions.claimReports("s2", T + 5_006, T + 5_006 + LEASE, 10)).toEqual([]);

    const reports = (await store.actions.getRun(id))?.reports ?? [];
    expect(reports.map((r) => [r.id, r.state, r.attempts.length, r.nextAttemptAt])).toEqual([
      [queued[0], "sent", 2, null],
      [queued[1], "gone", 1, null],
      [queued[2], "failed", 1, null],
    ]);
    expect(reports[2]?.attempts).toEqual([attempt(T + 5_005, null)]);
  });

  it("refuses the record of a report whose lease another owner took over, or that has ended", async () => {
    const { queued } = await runWithReports(1);
    const id = queued[0] ?? "";
    await store.actions.claimReports("s1", T + 10, T + 10 + LEASE, 10);
    expect(ids(await store.actions.claimReports("s2", T + 11 + LEASE, T + 11 + 2 * LEASE, 10))).toEqual([id]);
    expect(await store.actions.recordReport(id, "s1", attempt(T + 12 + LEASE), { state: "sent" })).toBe(
      false,
    );
    expect(await store.actions.recordReport(id, "s2", attempt(T + 13 + LEASE), { state: "sent" })).toBe(true);
    expect(await store.actions.recordReport(id, "s2", attempt(T + 14 + LEASE), { state: "sent" })).toBe(
      false,
    );
    expect(await store.actions.recordReport("rpt_none", "s2", attempt(T), { state: "sent" })).toBe(false);
  });

  it("two owners claiming reports at once never get the same one, nor two of one run", async () => {
    for (let i = 0; i < 12; i++) await runWithReports(2, `dpl_${i}`);
    const other = await anotherNode();
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 === 0 ? store : other).actions.claimReports(`s${i}`, T + 100, T + 100 + LEASE, 5),
      ),
    );
    const claimed = claims.flat();
    expect(new Set(ids(claimed)).size).toBe(claimed.length);
    expect(new Set(claimed.map((r) => r.runId)).size).toBe(claimed.length);
    expect(claimed).toHaveLength(12);
    expect(claimed.every((r) => r.body === "sealed:0")).toBe(true);
  });
});

describe("reading runs", () => {
  it("a run with its reports; with a tenant, another tenant's id finds nothing", async () => {
    await ask(T, [command("start", "dpl_1")]);
    const run = await runOf("dpl_1");
    const id = run?.id ?? "";
    expect(await store.actions.getRun(id, A)).toMatchObject({ run: { id, tenant: A }, reports: [] });
    expect(await store.actions.getRun(id, B)).toBeNull();
    expect(await store.actions.getRun(id)).toMatchObject({ run: { id } });
    expect(await store.actions.getRun("act_none")).toBeNull();
    expect(await store.actions.listRuns({ tenant: B, limit: 10 })).toEqual([]);
  });

  it("lists runs newest first, filtered, a page at a time", async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = command("start", `dpl_${i % 2}`, { resourceId: `res_${i}`, runId: newActionRunId(T + i) });
      made.push(c.runId);
      await ask(T + i, [c]);
    }
    await ask(T + 9, [command("start", "dpl_0", { tenant: B, runId: newActionRunId(T + 9) })]);
    const newestFirst = [...made].reverse();
    expect(ids(await store.actions.listRuns({ tenant: A, limit: 10 }))).toEqual(newestFirst);
    expect(ids(await store.actions.listRuns({ limit: 10 }))).toHaveLength(6);
    const page = await store.actions.listRuns({ tenant: A, limit: 2 });
    expect(ids(page)).toEqual(newestFirst.slice(0, 2));
    expect(ids(await store.actions.listRuns({ tenant: A, before: page[1]?.id, limit: 2 }))).toEqual(
      newestFirst.slice(2, 4),
    );
    expect(ids(await store.actions.listRuns({ tenant: A, deploymentId: "dpl_1", limit: 10 }))).toEqual([
      made[3],
      made[1],
    ]);
    await ask(T + 10, [command("cancel", "dpl_0", { resourceId: "res_new" })]);
    expect(
      (await store.actions.listRuns({ tenant: A, status: "canceled", limit: 10 })).map((r) => r.resourceId),
    ).toEqual(["res_new"]);
    expect(await store.actions.listRuns({ tenant: A, status: "failed", limit: 10 })).toEqual([]);
  });

  it("finds the live runs that share what a run made, by a string of `made`", async () => {
    const made = async (
      deployment: string,
      value: Record<string, unknown>,
      tenant = A,
      action = "branch",
    ) => {
      await ask(T, [command("start", deployment, { tenant, action })]);
      const [run] = await store.actions.claimRuns("w1", T + 1, T + 1 + LEASE, 10);
      await store.actions.changeRun(
        run?.id ?? "",
        "w1",
        { status: "succeeded", made: value, done: "start" },
        T + 2,
      );
      return run?.id ?? "";
    };
    const one = await made("dpl_1", { database: "db_main", branchId: "br_1" });
    const two = await made("dpl_2", { database: "db_main", branchId: "br_2" });
    await made("dpl_3", { database: "db_other" });
    await made("dpl_4", { database: "db_main" }, B);
    await made("dpl_5", { database: "db_main" }, A, "seed");
    await made("dpl_6", { database: 7 });
    await made("dpl_7", { "data.base": "db_main" });
    expect(ids(await store.actions.runsSharing(A, "branch", "database", "db_main"))).toEqual([one, two]);
    expect(await store.actions.runsSharing(A, "branch", "database", "7")).toEqual([]);
    expect(await store.actions.runsSharing(A, "branch", "data.base", "db_main")).toHaveLength(1);

    // A run canceled or cleaned holds nothing any more.
    await ask(T + 3, [command("cancel", "dpl_2")]);
    const [held] = await store.actions.claimRuns("w1", T + 4, T + 4 + LEASE, 10);
    expect(held?.id).toBe(two);
    expect(ids(await store.actions.runsSharing(A, "branch", "database", "db_main"))).toEqual([one, two]);
    await store.actions.changeRun(two, "w1", { status: "canceled", done: "cancel" }, T + 5);
    expect(ids(await store.actions.runsSharing(A, "branch", "database", "db_main"))).toEqual([one]);
  });

  it("the next due time: a phase's, a run's next report's, a lease's end", async () => {
    expect(await store.actions.nextDueAt()).toBeNull();
    await ask(T + 7, [command("start", "dpl_1")]);
    expect(await store.actions.nextDueAt()).toBe(T + 7);
    const [run] = await store.actions.claimRuns("w1", T + 8, T + 8 + LEASE, 10);
    expect(await store.actions.nextDueAt()).toBe(T + 8 + LEASE + 1);
    await store.actions.changeRun(run?.id ?? "", "w1", { retryAt: T + 90_000, report: report(T + 9) }, T + 9);
    expect(await store.actions.nextDueAt()).toBe(T + 9);
    const [r] = await store.actions.claimReports("s1", T + 10, T + 10 + LEASE, 10);
    expect(await store.actions.nextDueAt()).toBe(T + 10 + LEASE + 1);
    await store.actions.recordReport(r?.id ?? "", "s1", attempt(T + 11), { state: "sent" });
    expect(await store.actions.nextDueAt()).toBe(T + 90_000);
  });

  it("keeps text as every store does: NUL and a lone surrogate as U+FFFD", async () => {
    await ask(T, [command("start", "dpl_\u0000")]);
    const [run] = await store.actions.claimRuns("w1", T + 1, T + 1 + LEASE, 10);
    expect(run?.deploymentId).toBe("dpl_\uFFFD");
    const id = run?.id ?? "";
    await store.actions.changeRun(
      id,
      "w1",
      { statusText: "bad\u0000", step: "half \ud800", made: { "k\u0000": "v\u0000" }, report: report(T + 2) },
      T + 2,
      true,
    );
    const [r] = await store.actions.claimReports("s1", T + 3, T + 3 + LEASE, 10);
    await store.actions.recordReport(
      r?.id ?? "",
      "s1",
      { at: T + 3, status: null, durationMs: 1, error: "x\u0000" },
      {
        state: "failed",
      },
    );
    const detail = await store.actions.getRun(id);
    expect(detail?.run).toMatchObject({
      statusText: "bad\uFFFD",
      steps: [{ at: T + 2, text: "half \uFFFD" }],
      made: { "k\uFFFD": "v\uFFFD" },
    });
    expect(detail?.reports[0]?.attempts[0]?.error).toBe("x\uFFFD");
  });
});

describe("deleting runs", () => {
  /** A run of `tenant` that succeeded, with one report sent. */
  async function endedRun(tenant: string, deployment: string, at: number) {
    const id = await heldRun(tenant, deployment, at);
    await store.actions.changeRun(id, "w1", { status: "succeeded", done: "start", report: report(at) }, at);
    const claimed = await store.actions.claimReports("s1", at, at + LEASE, 10);
    const r = claimed.find((x) => x.runId === id);
    await store.actions.recordReport(r?.id ?? "", "s1", attempt(at), { state: "sent" });
    return id;
  }

  /** A new run of `tenant`, claimed by `w1`. */
  async function heldRun(tenant: string, deployment: string, at: number) {
    await ask(at, [command("start", deployment, { tenant })]);
    const claimed = await store.actions.claimRuns("w1", at, at + LEASE, 10);
    return claimed.find((r) => r.tenant === tenant && r.deploymentId === deployment)?.id ?? "";
  }

  it("purgeTenant deletes the tenant's runs and reports and counts them; another tenant's stay", async () => {
    await endedRun(A, "dpl_1", T);
    await ask(T + 1, [command("start", "dpl_2")]);
    const b = await endedRun(B, "dpl_1", T + 2);
    const counts = await store.purgeTenant(A);
    expect(counts).toMatchObject({ actionRuns: 2, actionReports: 1, events: 2 });
    expect(await store.actions.listRuns({ tenant: A, limit: 10 })).toEqual([]);
    expect((await store.actions.getRun(b))?.reports).toHaveLength(1);
    expect(await store.purgeTenant(A)).toMatchObject({ actionRuns: 0, actionReports: 0 });
  });

  it("removing an installation deletes its runs and reports, and its audit record counts them", async () => {
    await store.installations.upsert(
      { id: A, teamId: null, userId: "user_1", accessToken: "sealed", scopes: [], projects: "all" },
      T,
    );
    await endedRun(A, "dpl_1", T);
    const counts = await store.installations.remove(A, T + 10);
    expect(counts).toMatchObject({ actionRuns: 1, actionReports: 1, events: 1 });
    expect((await store.installations.get(A))?.removedCounts).toEqual(counts);
    expect(await store.actions.listRuns({ tenant: A, limit: 10 })).toEqual([]);
  });

  it("an installation's audit record from before runs were kept counts none of them", async () => {
    const old = {
      events: 1,
      deliveries: 1,
      attempts: 1,
      destinationStates: 0,
      sources: 0,
      destinations: 1,
      routes: 1,
      sessions: 1,
    };
    const insert = `
      INSERT INTO installations (id, team_id, user_id, access_token, scopes, projects, status, created_at,
        updated_at, removed_at, removed_counts)
      VALUES ('icfg_old', NULL, 'user_1', NULL, '[]', '"all"', 'removed', ${T}, ${T}, ${T}, '${JSON.stringify(old)}')`;
    await db.exec({ sqlite: insert, postgres: insert });
    expect((await store.installations.get("icfg_old"))?.removedCounts).toEqual({
      ...old,
      actionRuns: 0,
      actionReports: 0,
    });
  });

  it("retention deletes ended runs and their reports older than the cutoff, and nothing still to do", async () => {
    const old = await endedRun(A, "dpl_old", T);
    const recent = await endedRun(A, "dpl_recent", T + 2 * DAY);
    // Old and ended, but with a report still pending.
    const reporting = await heldRun(A, "dpl_reporting", T);
    await store.actions.changeRun(reporting, "w1", { status: "failed", done: "start", report: report(T) }, T);
    // Old, but with a phase still to do.
    await ask(T, [command("start", "dpl_todo")]);
    // Old and ended: canceled before it started.
    await ask(T, [command("cancel", "dpl_canceled")]);

    await store.purge(T + DAY);
    const left = await store.actions.listRuns({ tenant: A, limit: 10 });
    expect(left.map((r) => r.deploymentId).sort()).toEqual(["dpl_recent", "dpl_reporting", "dpl_todo"]);
    expect(await store.actions.getRun(old)).toBeNull();
    expect((await store.actions.getRun(recent))?.reports).toHaveLength(1);
    expect((await store.actions.getRun(reporting))?.reports).toHaveLength(1);
  });
});
