// Deployment check runs, on every backend: runs of kind `check` keyed (tenant, deployment, check
// name), made and moved by the commands of the deployment events that carry them, in the event's
// transaction; ready runs a check once; a rerequest finds the run by Vercel's check id; a cancel
// reaches the deployment's checks that have not ended; Vercel's id and each report's endpoint kept.
// Checks-v2 runs, keyed by Vercel's check run and check ids: a start makes one once, a cancel
// reaches one that has not ended or stands for one that has not started; tenants stay apart.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { CheckCommand, RunCommand } from "../../../src/core/action-types.js";
import { newActionRunId, newReportId } from "../../../src/core/ids.js";
import type { Store } from "../../../src/storage/port.js";
import { DAY, event, storeHarness, T } from "./harness.js";

const harness = storeHarness();
let store: Store;
beforeEach(async () => {
  store = (await harness.fresh()).store;
});
afterAll(() => harness.cleanup());

const A = "icfg_acme";
const LEASE = 30_000;
let sent = 0;
let made = 0;

/** A check command of tenant A for deployment `dpl_1`. */
function check(op: CheckCommand["op"], overrides: Partial<CheckCommand> = {}): CheckCommand {
  return {
    kind: "check",
    op,
    tenant: A,
    deploymentId: "dpl_1",
    name: op === "create" || op === "ready" ? "Smoke test" : null,
    checkId: null,
    checkRunId: null,
    runId: newActionRunId(T + ++made),
    projectId: "prj_1",
    ...overrides,
  };
}

async function ask(at: number, commands: RunCommand[]) {
  const e = event(at, { tenant: A, externalId: `ext_${++sent}`, actions: commands });
  await store.insertEvents([e]);
  return e;
}

const checks = () => store.actions.listRuns({ kind: "check", limit: 10 });

/** Claims the one due run and changes it as a runner would. */
async function hold(at: number, change: Parameters<Store["actions"]["changeRun"]>[2], keep = false) {
  const [run] = await store.actions.claimRuns("w1", at, at + LEASE, 10);
  expect(run).toBeDefined();
  expect(await store.actions.changeRun(run?.id ?? "", "w1", change, at + 1, keep)).toBe(true);
  return run;
}

describe("check commands of an ingested event", () => {
  it("create makes one check run per name, apart from an action of the same name", async () => {
    const first = check("create");
    const e = await ask(T, [first]);
    await ask(T + 1, [check("create")]);
    await ask(T + 2, [
      {
        tenant: A,
        deploymentId: "dpl_1",
        resourceId: "",
        action: "Smoke test",
        phase: "start",
        runId: newActionRunId(T + 2),
        projectId: null,
      },
    ]);
    expect(await checks()).toEqual([
      {
        id: first.runId,
        kind: "check",
        externalId: null,
        tenant: A,
        deploymentId: "dpl_1",
        resourceId: "",
        action: "Smoke test",
        projectId: "prj_1",
        eventId: e.id,
        status: "queued",
        statusText: null,
        phase: "create",
        made: null,
        steps: [],
        createdAt: T,
        updatedAt: T,
        nextRunAt: null,
      },
    ]);
    expect(await store.actions.listRuns({ kind: "action", limit: 10 })).toHaveLength(1);
    expect(await store.actions.listRuns({ limit: 10 })).toHaveLength(2);
  });

  it("ready runs a check once: a later ready finds it running or done", async () => {
    await ask(T, [check("create")]);
    await ask(T + 1, [check("ready")]);
    expect((await checks())[0]?.phase).toBe("run");
    // The runner takes it and reports running; the legacy ready arrives meanwhile.
    const run = await hold(T + 2, { status: "running", externalId: "chk_1" }, true);
    await ask(T + 3, [check("ready")]);
    expect(
      await store.actions.changeRun(run?.id ?? "", "w1", { status: "succeeded", done: "run" }, T + 4),
    ).toBe(true);
    await ask(T + 5, [check("ready")]);
    const [after] = await checks();
    expect(after).toMatchObject({ status: "succeeded", phase: null, externalId: "chk_1" });
  });

  it("ready with no run makes one to run; a cancel that stands is not undone by ready", async () => {
    const ready = check("ready");
    await ask(T, [ready]);
    expect(await checks()).toMatchObject([{ id: ready.runId, status: "queued", phase: "run" }]);

    await ask(T + 1, [check("create", { deploymentId: "dpl_2" })]);
    await ask(T + 2, [check("cancel", { deploymentId: "dpl_2" })]);
    await ask(T + 3, [check("ready", { deploymentId: "dpl_2" })]);
    const runs = await store.actions.listRuns({ kind: "check", deploymentId: "dpl_2", limit: 10 });
    expect(runs).toMatchObject([{ phase: "cancel" }]);
  });

  it("rerequest runs a check that ended again, found by Vercel's id; not one that is running", async () => {
    await ask(T, [check("ready")]);
    await hold(T + 1, { status: "failed", externalId: "chk_1", done: "run" });
    await ask(T + 2, [check("rerequest", { checkId: "chk_other" })]);
    expect((await checks())[0]).toMatchObject({ status: "failed", phase: null });
    await ask(T + 3, [check("rerequest", { checkId: "chk_1" })]);
    expect((await checks())[0]).toMatchObject({ status: "queued", phase: "run", nextRunAt: null });

    const run = await hold(T + 4, { status: "running" }, true);
    await ask(T + 5, [check("rerequest", { checkId: "chk_1" })]);
    expect((await checks())[0]).toMatchObject({ id: run?.id, status: "running", phase: "run" });
  });

  it("cancel reaches the deployment's checks that have not ended, and no action", async () => {
    await ask(T, [
      check("create", { name: "A" }),
      check("create", { name: "B" }),
      check("create", { name: "C" }),
    ]);
    await ask(T + 1, [
      {
        tenant: A,
        deploymentId: "dpl_1",
        resourceId: "res_1",
        action: "branch",
        phase: "start",
        runId: newActionRunId(T + 1),
        projectId: null,
      },
    ]);
    // A ends succeeded, B is running, C is queued.
    const claimed = await store.actions.claimRuns("w1", T + 2, T + 2 + LEASE, 10);
    const byName = new Map(claimed.map((r) => [r.action, r.id]));
    await store.actions.changeRun(
      byName.get("A") ?? "",
      "w1",
      { status: "succeeded", done: "create" },
      T + 3,
    );
    await store.actions.changeRun(byName.get("B") ?? "", "w1", { status: "running" }, T + 3, true);
    await store.actions.changeRun(byName.get("C") ?? "", "w1", {}, T + 3, true);
    await store.actions.changeRun(byName.get("branch") ?? "", "w1", {}, T + 3, true);

    await ask(T + 4, [check("cancel")]);
    const runs = new Map((await store.actions.listRuns({ limit: 10 })).map((r) => [r.action, r]));
    expect(runs.get("A")?.phase).toBeNull();
    expect(runs.get("B")?.phase).toBe("cancel");
    expect(runs.get("C")?.phase).toBe("cancel");
    expect(runs.get("branch")?.phase).toBe("start");
  });

  it("keeps each report's endpoint, and Vercel's id once given (a later change without one keeps it)", async () => {
    await ask(T, [check("ready")]);
    const [run] = await store.actions.claimRuns("w1", T + 1, T + 1 + LEASE, 10);
    const id = run?.id ?? "";
    const report = (at: number, target?: "check" | "check-run") => ({
      id: newReportId(at),
      body: `sealed:${at}`,
      deadlineAt: at + DAY,
      ...(target ? { target } : {}),
    });
    await store.actions.changeRun(
      id,
      "w1",
      { externalId: "chk_9", report: report(T + 2, "check") },
      T + 2,
      true,
    );
    await store.actions.changeRun(id, "w1", { report: report(T + 3, "check-run") }, T + 3, true);
    await store.actions.changeRun(id, "w1", { report: report(T + 4) }, T + 4);
    const detail = await store.actions.getRun(id, A);
    expect(detail?.run.externalId).toBe("chk_9");
    expect(detail?.reports.map((r) => r.target)).toEqual(["check", "check-run", "action"]);
  });
});

describe("checks-v2 run commands", () => {
  /** A checks-v2 command of tenant A for check run `crun_1` of project check `chk_p` on `dpl_1`. */
  const checkRun = (op: "checkrun-start" | "checkrun-cancel", overrides: Partial<CheckCommand> = {}) =>
    check(op, { name: null, checkId: "chk_p", checkRunId: "crun_1", ...overrides });

  it("start makes one run keyed by Vercel's ids, its external id the check run's; a repeat finds it", async () => {
    const first = checkRun("checkrun-start");
    const e = await ask(T, [first]);
    await ask(T + 1, [checkRun("checkrun-start")]);
    await ask(T + 2, [checkRun("checkrun-start", { checkRunId: "crun_2" })]);
    const runs = await checks();
    expect(runs).toHaveLength(2);
    expect(runs.find((r) => r.id === first.runId)).toEqual({
      id: first.runId,
      kind: "check",
      externalId: "crun_1",
      tenant: A,
      deploymentId: "dpl_1",
      resourceId: "crun_1",
      action: "chk_p",
      projectId: "prj_1",
      eventId: e.id,
      status: "queued",
      statusText: null,
      phase: "run",
      made: null,
      steps: [],
      createdAt: T,
      updatedAt: T,
      nextRunAt: null,
    });
  });

  it("cancel reaches a run that is queued or running, not one that ended", async () => {
    await ask(T, [checkRun("checkrun-start"), checkRun("checkrun-start", { checkRunId: "crun_2" })]);
    const claimed = await store.actions.claimRuns("w1", T + 1, T + 1 + LEASE, 10);
    const byRun = new Map(claimed.map((r) => [r.resourceId, r.id]));
    await store.actions.changeRun(byRun.get("crun_1") ?? "", "w1", { status: "running" }, T + 2, true);
    await store.actions.changeRun(
      byRun.get("crun_2") ?? "",
      "w1",
      { status: "succeeded", done: "run" },
      T + 2,
    );
    await ask(T + 3, [checkRun("checkrun-cancel"), checkRun("checkrun-cancel", { checkRunId: "crun_2" })]);
    const runs = new Map((await checks()).map((r) => [r.resourceId, r]));
    expect(runs.get("crun_1")).toMatchObject({ status: "running", phase: "cancel" });
    expect(runs.get("crun_2")).toMatchObject({ status: "succeeded", phase: null });
  });

  it("a cancel before the start stands: the run is canceled with nothing to do, and the start finds it", async () => {
    const cancel = checkRun("checkrun-cancel");
    await ask(T, [cancel]);
    await ask(T + 1, [checkRun("checkrun-start")]);
    expect(await checks()).toMatchObject([
      { id: cancel.runId, status: "canceled", phase: null, externalId: "crun_1" },
    ]);
    expect(await store.actions.claimRuns("w1", T + 2, T + 2 + LEASE, 10)).toEqual([]);
  });

  it("the deployment's cancel reaches its checks-v2 runs too", async () => {
    await ask(T, [checkRun("checkrun-start")]);
    await ask(T + 1, [check("cancel")]);
    expect(await checks()).toMatchObject([{ status: "queued", phase: "cancel" }]);
  });

  it("another tenant's commands with the same ids reach only its own runs", async () => {
    await ask(T, [checkRun("checkrun-start")]);
    await ask(T + 1, [checkRun("checkrun-cancel", { tenant: "icfg_other" })]);
    await ask(T + 2, [check("cancel", { tenant: "icfg_other" })]);
    const [mine] = await store.actions.listRuns({ tenant: A, kind: "check", limit: 10 });
    expect(mine).toMatchObject({ status: "queued", phase: "run" });
    const theirs = await store.actions.listRuns({ tenant: "icfg_other", kind: "check", limit: 10 });
    expect(theirs).toMatchObject([{ status: "canceled", phase: null, resourceId: "crun_1" }]);
    expect(await store.actions.getRun(mine?.id ?? "", "icfg_other")).toBeNull();
  });
});
