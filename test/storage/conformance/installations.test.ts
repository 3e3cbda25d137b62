// Installations of the Vercel integration, OAuth states and browser sessions, on every backend:
// an install stores its sealed token and a repeat replaces it, lists page newest first, lookups
// find active installations only, run settings are kept on the installation's own row, and a
// removal purges the tenant in one transaction, clears its run settings and keeps an audit
// record; states are single use and bound to a browser; sessions expire.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_CIRCUIT_POLICY } from "../../../src/core/circuit-breaker.js";
import type { RunSetting } from "../../../src/core/run-settings.js";
import { tokenHash } from "../../../src/core/token-hash.js";
import type { InstallationGrant, Store } from "../../../src/storage/port.js";
import { attemptAt, delivery, event, ids, outcome, storeHarness, T } from "./harness.js";

const harness = storeHarness();
let store: Store;
beforeEach(async () => {
  store = (await harness.fresh()).store;
});
afterAll(() => harness.cleanup());

const MINUTE = 60_000;

function grant(id: string, overrides: Partial<InstallationGrant> = {}): InstallationGrant {
  return {
    id,
    teamId: "team_1",
    userId: "user_1",
    accessToken: `sealed:${id}:1`,
    scopes: ["read:project"],
    projects: "all",
    ...overrides,
  };
}

/** An event of `tenant` with a delivery that failed once, and a destination and route of its own. */
async function tenantWithRecords(tenant: string) {
  const d = delivery("hook", T);
  const e = event(T, { tenant, deliveries: [d] });
  await store.insertEvents([e]);
  await store.recordOutcomes(
    [
      outcome(d.id, {
        attempt: attemptAt(T + 1, 500),
        status: "failed",
        lastStatus: 500,
        lastError: "HTTP 500",
        destinationChange: {
          tenant,
          destination: "hook",
          ok: false,
          at: T + 1,
          disable: null,
          circuit: DEFAULT_CIRCUIT_POLICY,
        },
      }),
    ],
    T + 1,
  );
  await store.forTenant(tenant).destinations.create("hook", { url: "https://x.example/h" }, ["s"], T);
  await store.forTenant(tenant).routes.create("all", { to: "hook" }, null, T);
  return { event: e, delivery: d };
}

describe(`installations on ${harness.dialect}`, () => {
  it("stores an install, and a repeat of its id replaces the token and scopes and keeps createdAt", async () => {
    const first = await store.installations.upsert(grant("icfg_a"), T);
    expect(first).toEqual({
      id: "icfg_a",
      teamId: "team_1",
      userId: "user_1",
      accessToken: "sealed:icfg_a:1",
      scopes: ["read:project"],
      projects: "all",
      runSettings: [],
      status: "active",
      createdAt: T,
      updatedAt: T,
      removedAt: null,
      removedCounts: null,
    });
    const again = await store.installations.upsert(
      grant("icfg_a", { accessToken: "sealed:icfg_a:2", scopes: ["read:project", "read-write:log-drain"] }),
      T + 5,
    );
    expect(again).toMatchObject({
      accessToken: "sealed:icfg_a:2",
      scopes: ["read:project", "read-write:log-drain"],
      createdAt: T,
      updatedAt: T + 5,
    });
    expect(await store.installations.get("icfg_a")).toEqual(again);
    expect(await store.installations.get("icfg_none")).toBeNull();
  });

  it("lists newest first in pages, removed ones too, never with a token", async () => {
    for (const [i, id] of ["icfg_1", "icfg_2", "icfg_3", "icfg_4", "icfg_5"].entries()) {
      await store.installations.upsert(grant(id), T + i);
    }
    await store.installations.remove("icfg_2", T + 10);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const { data, nextCursor } = await store.installations.list(cursor, 2);
      for (const item of data) expect(item).not.toHaveProperty("accessToken");
      seen.push(...ids(data));
      cursor = nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual(["icfg_5", "icfg_4", "icfg_3", "icfg_2", "icfg_1"]);
    const { data } = await store.installations.list(null, 10);
    expect(data.find((i) => i.id === "icfg_2")).toMatchObject({ status: "removed", removedAt: T + 10 });
    expect(await store.installations.list(null, 5)).toMatchObject({ nextCursor: null });
    expect(await store.installations.list("icfg_unknown", 5)).toEqual({ data: [], nextCursor: null });
  });

  it("finds active installations by team, and a personal account's by user", async () => {
    await store.installations.upsert(grant("icfg_t1"), T);
    await store.installations.upsert(grant("icfg_t2"), T + 1);
    await store.installations.upsert(grant("icfg_gone"), T + 2);
    await store.installations.upsert(grant("icfg_other", { teamId: "team_2" }), T + 3);
    await store.installations.upsert(grant("icfg_me", { teamId: null }), T + 4);
    await store.installations.upsert(grant("icfg_me_gone", { teamId: null }), T + 5);
    await store.installations.remove("icfg_gone", T + 6);
    await store.installations.remove("icfg_me_gone", T + 6);

    expect(ids(await store.installations.findByTeam("team_1"))).toEqual(["icfg_t1", "icfg_t2"]);
    expect(ids(await store.installations.findByTeam("team_2"))).toEqual(["icfg_other"]);
    expect(await store.installations.findByTeam("team_none")).toEqual([]);
    // A team's installation made by user_1 is not a personal account's.
    expect(ids(await store.installations.findByUser("user_1"))).toEqual(["icfg_me"]);
    expect((await store.installations.findByUser("user_1"))[0]?.accessToken).toBe("sealed:icfg_me:1");
  });

  it("updates projects, scopes and team of an active installation only", async () => {
    await store.installations.upsert(grant("icfg_a"), T);
    const changed = await store.installations.update("icfg_a", { projects: ["prj_1", "prj_2"] }, T + 1);
    expect(changed).toMatchObject({
      projects: ["prj_1", "prj_2"],
      scopes: ["read:project"],
      teamId: "team_1",
    });
    const moved = await store.installations.update("icfg_a", { teamId: "team_9", scopes: ["x"] }, T + 2);
    expect(moved).toMatchObject({
      teamId: "team_9",
      scopes: ["x"],
      projects: ["prj_1", "prj_2"],
      updatedAt: T + 2,
    });
    expect(ids(await store.installations.findByTeam("team_9"))).toEqual(["icfg_a"]);
    expect(await store.installations.findByTeam("team_1")).toEqual([]);
    expect((await store.installations.update("icfg_a", { teamId: null }, T + 3))?.teamId).toBeNull();
    expect(await store.installations.update("icfg_none", { scopes: [] }, T)).toBeNull();
    await store.installations.remove("icfg_a", T + 4);
    expect(await store.installations.update("icfg_a", { scopes: [] }, T + 5)).toBeNull();
  });

  it("removes an installation with everything its tenant owns, keeps its audit record, and leaves another tenant's", async () => {
    await store.installations.upsert(grant("icfg_a"), T);
    await store.installations.upsert(grant("icfg_b"), T);
    await tenantWithRecords("icfg_a");
    const b = await tenantWithRecords("icfg_b");
    const expiresAt = T + 60 * MINUTE;
    expect(await store.installations.createSession(tokenHash("sa"), "icfg_a", expiresAt)).toBe(true);
    expect(await store.installations.createSession(tokenHash("sb"), "icfg_b", expiresAt)).toBe(true);
    const bDelivery = await store.forTenant("icfg_b").getDelivery(b.delivery.id);
    const version = await store.topologyVersion();

    const counts = {
      events: 1,
      deliveries: 1,
      attempts: 1,
      destinationStates: 1,
      sources: 0,
      destinations: 1,
      routes: 1,
      actionRuns: 0,
      actionReports: 0,
      sessions: 1,
    };
    expect(await store.installations.remove("icfg_a", T + 100)).toEqual(counts);
    expect(await store.installations.get("icfg_a")).toMatchObject({
      status: "removed",
      accessToken: null,
      removedAt: T + 100,
      removedCounts: counts,
    });
    expect(await store.topologyVersion()).toBe(version + 1);
    const viewA = store.forTenant("icfg_a");
    expect(await viewA.listEvents({ limit: 10 })).toEqual([]);
    expect(await viewA.listDeliveries({ limit: 10 })).toEqual([]);
    expect(await viewA.listDestinationStates()).toEqual([]);
    expect(await viewA.destinations.list()).toEqual([]);
    expect(await viewA.routes.list()).toEqual([]);
    expect(await store.installations.getSession(tokenHash("sa"), T)).toBeNull();
    // A removed installation is not removed again, and takes no new session.
    expect(await store.installations.remove("icfg_a", T + 200)).toBeNull();
    expect((await store.installations.get("icfg_a"))?.removedCounts).toEqual(counts);
    expect(await store.installations.createSession(tokenHash("sa2"), "icfg_a", expiresAt)).toBe(false);
    expect(await store.installations.remove("icfg_none", T)).toBeNull();

    const viewB = store.forTenant("icfg_b");
    expect(await store.installations.get("icfg_b")).toMatchObject({
      status: "active",
      accessToken: "sealed:icfg_b:1",
    });
    expect(ids(await viewB.listEvents({ limit: 10 }))).toEqual([b.event.id]);
    expect(await viewB.getDelivery(b.delivery.id)).toEqual(bDelivery);
    expect(await viewB.destinations.list()).toHaveLength(1);
    expect(await store.installations.getSession(tokenHash("sb"), T)).toBe("icfg_b");
  });

  it("keeps which actions and checks run on the installation's own row, another installation's id changing only that one", async () => {
    await store.installations.upsert(grant("icfg_a"), T);
    await store.installations.upsert(grant("icfg_b"), T);
    const settings: RunSetting[] = [
      { kind: "action", name: "branch", runs: "off" },
      { kind: "check", name: "Smoke test", runs: ["prj_1", "prj_2"] },
    ];
    const saved = await store.installations.setRunSettings("icfg_a", settings, T + 1);
    expect(saved).toMatchObject({ id: "icfg_a", runSettings: settings, updatedAt: T + 1 });
    expect((await store.installations.get("icfg_a"))?.runSettings).toEqual(settings);
    expect((await store.installations.get("icfg_b"))?.runSettings).toEqual([]);
    const listed = (await store.installations.list(null, 10)).data;
    expect(listed.find((i) => i.id === "icfg_a")?.runSettings).toEqual(settings);
    expect(listed.find((i) => i.id === "icfg_b")?.runSettings).toEqual([]);

    // With b's id, only b's row changes.
    const other: RunSetting[] = [{ kind: "action", name: "branch", runs: ["prj_9"] }];
    expect((await store.installations.setRunSettings("icfg_b", other, T + 2))?.id).toBe("icfg_b");
    expect((await store.installations.get("icfg_a"))?.runSettings).toEqual(settings);
    expect((await store.installations.get("icfg_b"))?.runSettings).toEqual(other);

    // A repeated install keeps them; the lifecycle's updates do too.
    await store.installations.upsert(grant("icfg_a", { accessToken: "sealed:icfg_a:2" }), T + 3);
    await store.installations.update("icfg_a", { scopes: ["x"] }, T + 4);
    expect((await store.installations.get("icfg_a"))?.runSettings).toEqual(settings);

    // Replacing with none: everything runs everywhere again.
    expect((await store.installations.setRunSettings("icfg_b", [], T + 5))?.runSettings).toEqual([]);
    expect(await store.installations.setRunSettings("icfg_none", settings, T)).toBeNull();
  });

  it("clears a removed installation's run settings and takes none for it until it is installed again", async () => {
    await store.installations.upsert(grant("icfg_a"), T);
    await store.installations.upsert(grant("icfg_b"), T);
    const settings: RunSetting[] = [{ kind: "check", name: "Smoke test", runs: "off" }];
    await store.installations.setRunSettings("icfg_a", settings, T + 1);
    await store.installations.setRunSettings("icfg_b", settings, T + 1);
    await store.installations.remove("icfg_a", T + 2);
    expect((await store.installations.get("icfg_a"))?.runSettings).toEqual([]);
    expect(await store.installations.setRunSettings("icfg_a", settings, T + 3)).toBeNull();
    expect((await store.installations.get("icfg_a"))?.runSettings).toEqual([]);
    expect((await store.installations.get("icfg_b"))?.runSettings).toEqual(settings);
    const back = await store.installations.upsert(grant("icfg_a"), T + 4);
    expect(back.runSettings).toEqual([]);
  });

  it("makes a removed installation active again when it is installed again", async () => {
    await store.installations.upsert(grant("icfg_a"), T);
    await store.installations.remove("icfg_a", T + 1);
    const back = await store.installations.upsert(grant("icfg_a", { accessToken: "sealed:new" }), T + 2);
    expect(back).toMatchObject({
      status: "active",
      accessToken: "sealed:new",
      createdAt: T,
      removedAt: null,
      removedCounts: null,
    });
    expect(ids(await store.installations.findByTeam("team_1"))).toEqual(["icfg_a"]);
  });
});

describe(`OAuth states on ${harness.dialect}`, () => {
  const state = tokenHash("a-random-state");

  it("are used once, from the browser they are bound to", async () => {
    await store.installations.createState(state, "browser-1", T + 10 * MINUTE);
    expect(await store.installations.consumeState(state, "browser-1", T + 1)).toBe(true);
    expect(await store.installations.consumeState(state, "browser-1", T + 2)).toBe(false);
    expect(await store.installations.consumeState(tokenHash("never-made"), "browser-1", T)).toBe(false);
  });

  it("are refused from another browser, and used up by that attempt", async () => {
    await store.installations.createState(state, "browser-1", T + 10 * MINUTE);
    expect(await store.installations.consumeState(state, "browser-2", T + 1)).toBe(false);
    expect(await store.installations.consumeState(state, "browser-1", T + 2)).toBe(false);
  });

  it("are refused once expired, and purged when expired", async () => {
    await store.installations.createState(state, "browser-1", T + 10 * MINUTE);
    expect(await store.installations.consumeState(state, "browser-1", T + 10 * MINUTE)).toBe(false);

    await store.installations.createState(tokenHash("old"), "b", T + MINUTE);
    await store.installations.createState(tokenHash("fresh"), "b", T + 10 * MINUTE);
    expect(await store.installations.purgeExpired(T + 2 * MINUTE)).toEqual({ states: 1, sessions: 0 });
    expect(await store.installations.consumeState(tokenHash("old"), "b", T)).toBe(false);
    expect(await store.installations.consumeState(tokenHash("fresh"), "b", T + 2 * MINUTE)).toBe(true);
  });
});

describe(`browser sessions on ${harness.dialect}`, () => {
  it("name their installation until they expire or end", async () => {
    await store.installations.upsert(grant("icfg_a"), T);
    const s = tokenHash("session-id");
    expect(await store.installations.createSession(s, "icfg_a", T + MINUTE)).toBe(true);
    expect(await store.installations.getSession(s, T)).toBe("icfg_a");
    expect(await store.installations.getSession(s, T + MINUTE)).toBeNull();
    expect(await store.installations.getSession(tokenHash("other"), T)).toBeNull();
    expect(await store.installations.deleteSession(s)).toBe(true);
    expect(await store.installations.getSession(s, T)).toBeNull();
    expect(await store.installations.deleteSession(s)).toBe(false);
  });

  it("start only for an active installation, and expired ones are purged", async () => {
    expect(await store.installations.createSession(tokenHash("x"), "icfg_none", T + MINUTE)).toBe(false);
    await store.installations.upsert(grant("icfg_a"), T);
    await store.installations.createSession(tokenHash("old"), "icfg_a", T + MINUTE);
    await store.installations.createSession(tokenHash("new"), "icfg_a", T + 10 * MINUTE);
    expect(await store.installations.purgeExpired(T + MINUTE)).toEqual({ states: 0, sessions: 1 });
    expect(await store.installations.getSession(tokenHash("old"), T)).toBeNull();
    expect(await store.installations.getSession(tokenHash("new"), T)).toBe("icfg_a");
  });
});
