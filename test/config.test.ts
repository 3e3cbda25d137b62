import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureCredentials } from "../src/config/credentials.js";
import { loadConfig } from "../src/config/load.js";
import { configSchema } from "../src/config/schema.js";
import { ConfigError } from "../src/core/config-error.js";
import { tempDir } from "./support/app.js";

const temps: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of temps.splice(0)) cleanup();
});

function withFile(yaml: string): string {
  const { dir, cleanup } = tempDir();
  temps.push(cleanup);
  writeFileSync(join(dir, "switchyard.yaml"), yaml);
  return dir;
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loading the config file", () => {
  it("reads ./switchyard.yaml with ${VAR} and ${VAR:-default} interpolation", () => {
    const dir = withFile(`
sources:
  - slug: vercel
    kind: vercel
    secrets: ["\${SECRET_A}", "\${SECRET_B:-fallback-secret}"]
retention: \${RETENTION:-14d}
`);
    const { config, file } = loadConfig({}, { SECRET_A: "from-env" }, dir);
    expect(file).toBe(join(dir, "switchyard.yaml"));
    expect(config.sources[0]?.secrets).toEqual(["from-env", "fallback-secret"]);
    expect(config.retention).toBe(14 * 86_400_000);
    expect(config.server.port).toBe(8787);
    expect(config.database.url).toBe("sqlite:./.switchyard/switchyard.db");
  });

  it("lets PORT, HOST, DATABASE_URL and SWITCHYARD_ADMIN_TOKEN override the file, and flags override them", () => {
    const dir = withFile("server: { port: 9000, host: 127.0.0.1 }\n");
    const env = {
      PORT: "9100",
      HOST: "::1",
      DATABASE_URL: "sqlite:/tmp/x.db",
      SWITCHYARD_ADMIN_TOKEN: "a-long-admin-token-123",
    };
    expect(loadConfig({}, env, dir).config).toMatchObject({
      server: { port: 9100, host: "::1" },
      database: { url: "sqlite:/tmp/x.db" },
      adminToken: "a-long-admin-token-123",
    });
    expect(loadConfig({ port: 9200 }, env, dir).config.server.port).toBe(9200);
  });

  it("finds the file through --config and SWITCHYARD_CONFIG", () => {
    const dir = withFile("retention: 8d\n");
    expect(loadConfig({ config: "switchyard.yaml" }, {}, dir).config.retention).toBe(8 * 86_400_000);
    expect(loadConfig({}, { SWITCHYARD_CONFIG: join(dir, "switchyard.yaml") }, "/").config.retention).toBe(
      8 * 86_400_000,
    );
    expect(issuesOf(() => loadConfig({ config: "missing.yaml" }, {}, dir))[0]).toContain(
      "config file not found",
    );
  });

  it("names each bad key and what was expected", () => {
    const dir = withFile(`
server: { port: "not-a-port" }
retention: 2d
colour: blue
sources:
  - slug: vercel
    kind: vercel
  - slug: Bad Slug
    kind: hmac
    header: x-sig
    algorithm: md5
    secrets: ["s"]
  - slug: sw
    kind: standard-webhooks
    secrets: ["not-whsec"]
  - slug: other
    kind: carrier-pigeon
    secrets: ["s"]
`);
    const issues = issuesOf(() => loadConfig({}, {}, dir)).join("\n");
    expect(issues).toContain('(root): unknown key "colour"');
    expect(issues).toMatch(/server\.port: .*number/);
    expect(issues).toContain("retention: retention must be at least 7d");
    expect(issues).toContain("sources[0].secrets: a source needs at least one secret");
    expect(issues).toContain("sources[1].slug: a slug");
    expect(issues).toMatch(/sources\[1\]\.algorithm: .*"sha1"/);
    expect(issues).toContain("sources[2].secrets[0]: expected a whsec_<base64> secret");
    expect(issues).toMatch(/sources\[3\]\.kind/);
  });

  it("refuses an unset variable without a default, naming the key", () => {
    const dir = withFile('sources: [{ slug: v, kind: vercel, secrets: ["${NOT_SET_ANYWHERE}"] }]\n');
    expect(issuesOf(() => loadConfig({}, {}, dir))).toEqual([
      "sources[0].secrets[0]: environment variable NOT_SET_ANYWHERE is not set and has no default",
    ]);
  });

  it("refuses duplicate slugs, a bad duration and broken YAML", () => {
    const dup = withFile(
      "sources: [{slug: a, kind: vercel, insecure: true}, {slug: a, kind: vercel, insecure: true}]\n",
    );
    expect(issuesOf(() => loadConfig({}, {}, dup))).toContain('sources[1].slug: duplicate source slug "a"');
    const bad = withFile("retention: forever\n");
    expect(issuesOf(() => loadConfig({}, {}, bad))[0]).toContain(
      'expected a duration such as 30s, 5m, 24h or 7d, got "forever"',
    );
    const broken = withFile("sources: [\n");
    expect(issuesOf(() => loadConfig({}, {}, broken))[0]).toMatch(/^line \d+:/);
  });
});

describe("embedded defaults", () => {
  it("generates a vercel source and an admin token once, persisted with mode 0600", () => {
    const { dir, cleanup } = tempDir();
    temps.push(cleanup);
    const { config, file } = loadConfig({}, {}, dir);
    expect(file).toBeNull();
    const first = ensureCredentials(config, file, {}, dir);
    expect(first.devSource).toBe(true);
    expect(first.config.sources).toMatchObject([{ slug: "vercel", kind: "vercel" }]);
    expect(first.config.adminToken).toMatch(/^sy_admin_/);
    expect(statSync(first.credentialsFile).mode & 0o777).toBe(0o600);
    const second = ensureCredentials(config, file, {}, dir);
    expect(second.config.adminToken).toBe(first.config.adminToken);
    expect(second.config.sources[0]?.secrets).toEqual(first.config.sources[0]?.secrets);
  });
});

describe("switchyard.example.yaml", () => {
  it("is valid and shows every top-level setting", () => {
    const file = new URL("../switchyard.example.yaml", import.meta.url).pathname;
    const { config } = loadConfig({ config: file }, { VERCEL_WEBHOOK_SECRET: "example" });
    expect(config.sources.map((s) => s.kind)).toEqual(["vercel", "hmac", "standard-webhooks"]);
    const text = readFileSync(file, "utf8");
    for (const key of Object.keys(configSchema.shape)) expect(text, key).toMatch(new RegExp(`^${key}:`, "m"));
  });
});

describe("routes", () => {
  it("names a route filter's bad key, a missing destination and an unsafe regex", async () => {
    const { configRouteIssues } = await import("../src/routing/planner.js");
    const { TopologySnapshot } = await import("../src/topology/snapshot.js");
    const { fromConfig } = await import("../src/topology/entries.js");
    const dir = withFile(`
sources: [{ slug: vercel, kind: vercel, secrets: [s] }]
destinations: [{ slug: ops, url: "https://ops.example.com/hook" }]
routes:
  - slug: a
    source: vercel
    filter: { logic: and, conditions: [{ field: type, operator: equalz, value: x }] }
    destinations: [ops]
`);
    expect(issuesOf(() => loadConfig({}, {}, dir)).join("\n")).toMatch(
      /routes\[0\]\.filter\.conditions\[0\]\.operator: /,
    );
    // References are checked once every route has the right shape.
    const refs = withFile(`
sources: [{ slug: vercel, kind: vercel, secrets: [s] }]
destinations: [{ slug: ops, url: "https://ops.example.com/hook" }]
routes:
  - slug: b
    source: [vercel, nowhere]
    destinations: [missing]
`);
    const issues = issuesOf(() => loadConfig({}, {}, refs)).join("\n");
    expect(issues).toContain('routes[0].source[1]: no source "nowhere"');
    expect(issues).toContain('routes[0].destinations[0]: no destination "missing"');
    const regex = issuesOf(() => {
      const routes = [
        {
          slug: "r",
          source: ["vercel"],
          filter: {
            logic: "and" as const,
            conditions: [{ field: "payload.x", operator: "matches" as const, value: "(a)\\1" }],
          },
          destinations: ["ops"],
        },
      ];
      const issues = configRouteIssues(
        new TopologySnapshot(0, fromConfig({ sources: [], destinations: [], routes })),
      );
      if (issues) throw issues;
    });
    expect(regex[0]).toMatch(/^routes\[0\]\.filter\.conditions\[0\]\.value: /);
  });
});

describe("integration", () => {
  it("is off unless configured, and takes Vercel's URLs by default", () => {
    expect(loadConfig({}, {}, withFile("integration:\n")).config.integration).toBeUndefined();
    const { config } = loadConfig(
      {},
      { VERCEL_CLIENT_SECRET: "client-secret" },
      withFile(
        "integration:\n  slug: my-relay\n  clientId: oac_abc123\n  clientSecret: ${VERCEL_CLIENT_SECRET}\n  publicUrl: https://relay.example.com/\n",
      ),
    );
    expect(config.integration).toEqual({
      slug: "my-relay",
      clientId: "oac_abc123",
      clientSecret: "client-secret",
      publicUrl: "https://relay.example.com",
      vercel: { apiUrl: "https://api.vercel.com", siteUrl: "https://vercel.com" },
    });
  });

  it("names each bad key", () => {
    const issues = issuesOf(() =>
      loadConfig(
        {},
        {},
        withFile(
          'integration: { slug: "My Relay", clientId: abc, clientSecret: "", publicUrl: "relay.example.com", vercel: { apiUrl: "https://api.example.com/?x=1" } }\n',
        ),
      ),
    ).join("\n");
    expect(issues).toContain("integration.slug: the integration's slug");
    expect(issues).toContain("integration.clientId: expected the integration's client id");
    expect(issues).toContain("integration.clientSecret: the client secret cannot be empty");
    expect(issues).toContain("integration.publicUrl: expected an http:// or https:// URL");
    expect(issues).toContain("integration.vercel.apiUrl: expected a URL without ?query or #fragment");
  });
});

describe("actions", () => {
  const integration =
    "integration:\n  slug: my-relay\n  clientId: oac_abc123\n  clientSecret: s\n  publicUrl: https://relay.example.com\n";

  it("takes the documented example with its defaults", () => {
    const { config } = loadConfig(
      {},
      { BRANCH_ADMIN_URL: "postgres://admin@db.example.com:5432/postgres" },
      withFile(
        `${integration}actions:\n  - slug: branch\n    kind: postgres-branch\n    postgres:\n      url: \${BRANCH_ADMIN_URL}\n      template: app\n    timeout: 10m\n  - slug: notify\n    kind: http\n    url: https://ci.example.com/vercel-action`,
      ),
    );
    expect(config.actions).toEqual([
      {
        slug: "branch",
        kind: "postgres-branch",
        postgres: { url: "postgres://admin@db.example.com:5432/postgres", template: "app" },
        branchBy: "git-ref",
        secretName: "DATABASE_URL",
        timeout: 600_000,
      },
      { slug: "notify", kind: "http", url: "https://ci.example.com/vercel-action", timeout: 60_000 },
    ]);
  });

  it("names each bad key, and needs the integration", () => {
    const issues = issuesOf(() =>
      loadConfig(
        {},
        {},
        withFile(
          "actions:\n  - { slug: branch, kind: postgres-branch, postgres: { url: mysql://x, template: 'a b' }, branchBy: sometimes }\n  - { slug: branch, kind: http, url: ftp://x }\n  - { slug: other, kind: teleport }\n",
        ),
      ),
    ).join("\n");
    expect(issues).toContain("actions[0].postgres.url: expected postgres://");
    expect(issues).toContain("actions[0].postgres.template: expected a database name");
    expect(issues).toContain("actions[0].branchBy");
    expect(issues).toContain("actions[1].url: expected an http:// or https:// URL");
    expect(issues).toContain("actions[2].kind");
  });

  it("refuses actions without an integration, and a slug twice", () => {
    const issues = issuesOf(() =>
      loadConfig(
        {},
        {},
        withFile(
          "actions:\n  - { slug: notify, kind: http, url: https://a.example.com }\n  - { slug: notify, kind: http, url: https://b.example.com }\n",
        ),
      ),
    ).join("\n");
    expect(issues).toContain("actions: actions are run for the installations of a Vercel integration");
    expect(issues).toContain('actions[1].slug: duplicate action slug "notify"');
  });

  it("takes a one-line description for the configuration page, and refuses an empty or long one", () => {
    const { config } = loadConfig(
      {},
      {},
      withFile(
        `${integration}actions:\n  - { slug: notify, kind: http, url: https://a.example.com, description: "  Tells CI.  " }\nchecks:\n  - { name: Smoke, kind: http, url: "https://{deployment.url}/", description: Checks the home page. }\n`,
      ),
    );
    expect(config.actions[0]?.description).toBe("Tells CI.");
    expect(config.checks[0]?.description).toBe("Checks the home page.");
    const issues = issuesOf(() =>
      loadConfig(
        {},
        {},
        withFile(
          `${integration}actions:\n  - { slug: notify, kind: http, url: https://a.example.com, description: " " }\nchecks:\n  - { name: Smoke, kind: http, url: "https://{deployment.url}/", description: ${"x".repeat(201)} }\n`,
        ),
      ),
    ).join("\n");
    expect(issues).toContain("actions[0].description: cannot be empty");
    expect(issues).toContain("checks[0].description: at most 200 characters");
  });
});

describe("checks", () => {
  const integration =
    "integration:\n  slug: my-relay\n  clientId: oac_abc123\n  clientSecret: s\n  publicUrl: https://relay.example.com\n";

  it("takes the documented example, and fills defaults", () => {
    const { config } = loadConfig(
      {},
      {},
      withFile(
        `${integration}checks:\n  - name: Smoke test\n    kind: http\n    url: https://{deployment.url}/api/health\n    blocking: true\n    rerequestable: true\n    expect: { status: 200, bodyContains: ok }\n    timeout: 30s\n    targets: [preview, production]\n  - { name: Home, kind: http, url: "https://{deployment.url}/?id={deployment.id}" }\n`,
      ),
    );
    expect(config.checks).toEqual([
      {
        name: "Smoke test",
        kind: "http",
        url: "https://{deployment.url}/api/health",
        blocking: true,
        rerequestable: true,
        expect: { status: 200, bodyContains: "ok" },
        timeout: 30_000,
        targets: ["preview", "production"],
      },
      {
        name: "Home",
        kind: "http",
        url: "https://{deployment.url}/?id={deployment.id}",
        blocking: false,
        rerequestable: true,
        expect: {},
        timeout: 30_000,
        targets: ["preview", "production"],
      },
    ]);
  });

  it("names each bad key", () => {
    const issues = issuesOf(() =>
      loadConfig(
        {},
        {},
        withFile(
          `${integration}checks:\n  - { name: "", kind: http, url: "https://{deployment.host}/" }\n  - { name: a, kind: http, url: "ftp://{deployment.url}/", expect: { status: 99, bodyContains: "" }, timeout: 1h, targets: [] }\n  - { name: b, kind: tcp, url: "https://x" }\n  - { name: c, kind: http, url: "https://x", targets: [staging] }\n`,
        ),
      ),
    ).join("\n");
    expect(issues).toContain("checks[0].name: a check needs a name");
    expect(issues).toContain("checks[0].url: the only placeholders are {deployment.url} and {deployment.id}");
    expect(issues).toContain("checks[1].url: expected an http:// or https:// URL");
    expect(issues).toContain("checks[1].expect.status");
    expect(issues).toContain("checks[1].expect.bodyContains: cannot be empty");
    expect(issues).toContain("checks[1].timeout: expected from 100ms to 10m");
    expect(issues).toContain("checks[1].targets: at least one target");
    expect(issues).toContain("checks[2].kind");
    expect(issues).toContain("checks[3].targets[0]");
  });

  it("refuses checks without an integration, and a name twice", () => {
    const issues = issuesOf(() =>
      loadConfig(
        {},
        {},
        withFile(
          'checks:\n  - { name: Smoke, kind: http, url: "https://{deployment.url}/" }\n  - { name: Smoke, kind: http, url: "https://{deployment.url}/x" }\n',
        ),
      ),
    ).join("\n");
    expect(issues).toContain("checks: checks are run for the installations of a Vercel integration");
    expect(issues).toContain('checks[1].name: duplicate check name "Smoke"');
  });
});
