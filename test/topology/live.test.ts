import { describe, expect, it } from "vitest";
import { configSchema, type SourceConfig } from "../../src/config/schema.js";
import { DEFAULT_TENANT } from "../../src/core/types.js";
import type { TopologyChange } from "../../src/topology/diff.js";
import { fromConfig, type TopologyDefinition } from "../../src/topology/entries.js";
import { LiveTopology, type TopologyRecords } from "../../src/topology/live.js";

const config = configSchema.parse({
  sources: [{ slug: "vercel", kind: "vercel", secrets: ["s3cr3t"] }],
  destinations: [{ slug: "ops", url: "https://ops.example.com/hook" }],
  routes: [{ slug: "all", source: "vercel", destinations: ["ops"] }],
});

/** Run-time items as the store would hold them: a definition and its version. */
class Records implements TopologyRecords {
  version = 0;
  definition: TopologyDefinition = { sources: [], destinations: [], routes: [] };
  loads = 0;
  checks = 0;
  async topologyVersion() {
    this.checks++;
    return this.version;
  }
  async loadTopology() {
    this.loads++;
    return { version: this.version, definition: this.definition };
  }
  set(definition: Partial<TopologyDefinition>) {
    this.definition = { ...this.definition, ...definition };
    this.version++;
  }
}

const dest = (tenant: string, slug: string, url = `https://${tenant}.example.com/${slug}`) => ({
  tenant,
  managedBy: "api" as const,
  config: configSchema.parse({ destinations: [{ slug, url }] }).destinations[0] as NonNullable<
    (typeof config.destinations)[number]
  >,
});
const route = (tenant: string, slug: string, source: string, destinations: string[], types?: string[]) => ({
  tenant,
  managedBy: "api" as const,
  config: {
    slug,
    source: [source],
    destinations,
    ...(types ? { types } : {}),
  },
});

describe("LiveTopology", () => {
  it("serves the config file's items as tenant default", () => {
    const t = LiveTopology.fixed(fromConfig(config));
    expect(t.source("vercel")?.tenant).toBe(DEFAULT_TENANT);
    expect(t.source("vercel")?.managedBy).toBe("config");
    expect(t.destination(DEFAULT_TENANT, "ops")?.config.url).toBe("https://ops.example.com/hook");
    expect(t.destination("icfg_other", "ops")).toBeUndefined();
    expect(t.routes(DEFAULT_TENANT, "vercel").map((r) => r.slug)).toEqual(["all"]);
    expect(t.routes("icfg_other", "vercel")).toEqual([]);
  });

  it("keys destinations and routes by tenant: two tenants may use one slug", async () => {
    const records = new Records();
    records.set({
      destinations: [dest("icfg_a", "hook"), dest("icfg_b", "hook")],
      routes: [
        route("icfg_a", "r", "vercel", ["hook"]),
        route("icfg_b", "r", "vercel", ["hook"], ["deployment.*"]),
      ],
    });
    const t = await LiveTopology.open(fromConfig(config), records);
    try {
      expect(t.destination("icfg_a", "hook")?.config.url).toBe("https://icfg_a.example.com/hook");
      expect(t.destination("icfg_b", "hook")?.config.url).toBe("https://icfg_b.example.com/hook");
      const subject = {
        type: "project.created",
        originalType: "project.created",
        source: "vercel",
        body: {},
      };
      expect(t.routes("icfg_a", "vercel").filter((r) => r.filter.match(subject))).toHaveLength(1);
      expect(t.routes("icfg_b", "vercel").filter((r) => r.filter.match(subject))).toHaveLength(0);
    } finally {
      await t.close();
    }
  });

  it("reloads when the version moves and says what changed", async () => {
    const records = new Records();
    const t = await LiveTopology.open(fromConfig(config), records);
    try {
      const changes: TopologyChange[] = [];
      t.on("change", (c) => changes.push(c));
      expect(await t.refresh()).toBe(false);
      records.set({ destinations: [dest("icfg_a", "hook")] });
      expect(await t.refresh()).toBe(true);
      records.set({ destinations: [dest("icfg_a", "hook", "https://new.example.com/")] });
      await t.refresh();
      records.set({ destinations: [] });
      await t.refresh();
      expect(
        changes.map((c) => [
          c.destinations.added.length,
          c.destinations.changed.length,
          c.destinations.removed.length,
        ]),
      ).toEqual([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]);
      expect(changes[1]?.destinations.changed[0]?.config.url).toBe("https://new.example.com/");
      expect(t.destination("icfg_a", "hook")).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it("lets a config item win over a stored one of the same name", async () => {
    const records = new Records();
    records.set({
      sources: [{ tenant: "icfg_a", managedBy: "api", config: config.sources[0] as SourceConfig }],
      destinations: [dest(DEFAULT_TENANT, "ops", "https://stolen.example.com/")],
    });
    const t = await LiveTopology.open(fromConfig(config), records);
    try {
      expect(t.source("vercel")?.tenant).toBe(DEFAULT_TENANT);
      expect(t.destination(DEFAULT_TENANT, "ops")?.config.url).toBe("https://ops.example.com/hook");
    } finally {
      await t.close();
    }
  });

  it("folds refreshes asked for during a reload into one more reload", async () => {
    const records = new Records();
    const t = await LiveTopology.open(fromConfig(config), records);
    try {
      const checksBefore = records.checks;
      records.set({ destinations: [dest("icfg_a", "one")] });
      const first = t.refresh();
      records.set({ destinations: [dest("icfg_a", "one"), dest("icfg_a", "two")] });
      const rest = [t.refresh(), t.refresh(), t.refresh()];
      await Promise.all([first, ...rest]);
      // The reload under way, then one more for the three asked for during it.
      expect(records.checks - checksBefore).toBe(2);
      expect(t.destination("icfg_a", "two")).toBeDefined();
    } finally {
      await t.close();
    }
  });

  it("runs prepare hooks before a change is in force, and goes on when one fails", async () => {
    const records = new Records();
    const t = await LiveTopology.open(fromConfig(config), records);
    try {
      const seen: string[] = [];
      t.prepare(async (change) => {
        // Not yet in force while it is prepared.
        seen.push(
          `prepare ${change.destinations.added.length} ${t.destination("icfg_a", "hook") === undefined}`,
        );
        throw new Error("compile failed");
      });
      t.on("change", () => seen.push(`change ${t.destination("icfg_a", "hook") !== undefined}`));
      records.set({ destinations: [dest("icfg_a", "hook")] });
      await t.refresh();
      expect(seen).toEqual(["prepare 1 true", "change true"]);
    } finally {
      await t.close();
    }
  });

  it("keeps what is in force when the store cannot be read", async () => {
    const records = new Records();
    const t = await LiveTopology.open(fromConfig(config), records);
    try {
      records.set({ destinations: [dest("icfg_a", "hook")] });
      records.loadTopology = async () => {
        throw new Error("connection refused");
      };
      expect(await t.refresh()).toBe(false);
      expect(t.destination(DEFAULT_TENANT, "ops")).toBeDefined();
    } finally {
      await t.close();
    }
  });
});
