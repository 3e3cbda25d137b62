// Runs on SQLite only: the commands under test (migrate, doctor, serve's roles) are run on SQLite files of their own; the PostgreSQL ones are in test/storage/postgres-startup.test.ts.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "./support/app.js";
import { freePort, runCli, startChild } from "./support/child.js";
import { vercelSignature } from "./support/send.js";

const temp = tempDir();
afterAll(() => temp.cleanup());

describe("switchyard CLI", () => {
  it("sign prints the x-vercel-signature of a file's exact bytes, and of stdin", async () => {
    const file = join(temp.dir, "body.json");
    const bytes = '{"id":"x","type":"deployment.created"}\n';
    writeFileSync(file, bytes);
    const fromFile = await runCli(["sign", "--secret", "s3cret", file]);
    expect(fromFile.stdout.trim()).toBe(vercelSignature(bytes, "s3cret"));
    const fromStdin = await runCli(["sign", "--secret", "s3cret"], { input: bytes });
    expect(fromStdin.stdout.trim()).toBe(vercelSignature(bytes, "s3cret"));
  });

  it("catalog lists every type with category and description", async () => {
    const text = await runCli(["catalog"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^deployment\.created\s+deployment\s+\S/m);
    const json = JSON.parse((await runCli(["catalog", "--json"])).stdout) as {
      type: string;
      legacy: boolean;
    }[];
    expect(json.length).toBeGreaterThanOrEqual(57);
    expect(json.filter((t) => t.legacy)).toHaveLength(13);
  });

  it("prints its version, and names a mistyped command with the nearest one (exit 2)", async () => {
    const { VERSION } = await import("../src/version.js");
    for (const flag of ["--version", "-V"]) {
      const version = await runCli([flag]);
      expect(version.code).toBe(0);
      expect(version.stdout.trim()).toBe(VERSION);
    }
    const typo = await runCli(["srve"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown command 'srve'");
    expect(typo.stderr).toContain("Did you mean serve?");
    const unknown = await runCli(["stauts"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'stauts'");
    expect(unknown.stderr).not.toContain("serve");
  });

  it("says which server it could not reach (exit 2), without reading a local config it was not asked for", async () => {
    // A config here that cannot load: with --url and credentials given, server commands never read it.
    const cwd = join(temp.dir, "broken-config");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(cwd);
    writeFileSync(join(cwd, "switchyard.yaml"), "adminToken: ${SWITCHYARD_UNSET_VARIABLE_FOR_TEST}\n");
    const down = `http://127.0.0.1:${await freePort()}`;
    const runs = [
      ["replay", "--all", "--dry-run", "--url", down, "--token", "t"],
      ["route", "test", "any", "--type", "deployment.created", "--url", down, "--token", "t"],
      ["trigger", "deployment.created", "--url", `${down}/ingest/vercel`, "--secret", "s"],
    ];
    for (const args of runs) {
      const result = await runCli(args, { cwd });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr.trim()).toBe(
        `switchyard: server not reachable at ${down} (ECONNREFUSED): is \`switchyard serve\` running there?`,
      );
    }
    // Without --url it does read the config, and says what is wrong with it.
    const local = await runCli(["replay", "--all", "--token", "t"], { cwd });
    expect(local.code).toBe(1);
    expect(local.stderr).toContain("SWITCHYARD_UNSET_VARIABLE_FOR_TEST");
  });

  it("stops with a readable message on an invalid config", async () => {
    const file = join(temp.dir, "bad.yaml");
    writeFileSync(file, "sources: [{ slug: v, kind: vercel }]\nretention: 1d\n");
    const result = await runCli(["serve", "--config", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("sources[0].secrets: a source needs at least one secret");
    expect(result.stderr).toContain("retention: retention must be at least 7d");
  });

  it("serves a newcomer on embedded defaults, and trigger reaches it with no flags", {
    timeout: 60_000,
  }, async () => {
    const cwd = join(temp.dir, "fresh");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(cwd);
    const port = await freePort();
    const env = { PORT: String(port), HOST: "127.0.0.1" };
    const server = await startChild(null, port, { cwd, env });
    try {
      const banner = server.stdout();
      expect(banner).toContain(`/ingest/vercel`);
      const token = /Admin token:\s+(\S+)/.exec(banner)?.[1];
      expect(token).toMatch(/^sy_admin_/);
      expect(banner).toMatch(/Webhook secret:\s+[0-9a-f]{48}/);
      expect(banner).toContain("npx switchyard trigger");
      // The secret and token appear in the welcome text only, never in a JSON log line.
      const secret = /Webhook secret:\s+(\S+)/.exec(banner)?.[1] as string;
      for (const line of banner.split("\n").filter((l) => l.startsWith("{"))) {
        expect(line).not.toContain(secret);
        expect(line).not.toContain(token);
      }

      const sent = await runCli(["trigger", "deployment.error", "--set", "payload.target=production"], {
        cwd,
        env,
      });
      expect(sent.code).toBe(0);
      expect(sent.stdout).toMatch(/^200 .*"duplicate":false/);
      const list = await fetch(`${server.url}/api/v1/events?type=deployment.error`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await list.json()) as { data: { id: string }[] };
      expect(body.data).toHaveLength(1);
      const detail = await fetch(`${server.url}/api/v1/events/${body.data[0]?.id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(
        ((await detail.json()) as { payload: { payload: { target: string } } }).payload.payload.target,
      ).toBe("production");
    } finally {
      server.process.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    }
  });
});

describe("switchyard serve's address", () => {
  it.each([
    [
      "by default, this machine only",
      "",
      /Listening on:\s+127\.0\.0\.1:(\d+), this machine only \(HOST=0\.0\.0\.0/,
      "loopback",
    ],
    [
      "with HOST=0.0.0.0, every interface, and a loopback URL to try",
      "0.0.0.0",
      /Listening on:\s+0\.0\.0\.0:(\d+), all interfaces \(from this machine: http:\/\/127\.0\.0\.1:\1\)/,
      "all",
    ],
  ])("says where it listens: %s", { timeout: 60_000 }, async (_name, host, banner, reach) => {
    const { mkdtempSync } = await import("node:fs");
    const cwd = mkdtempSync(join(temp.dir, "address-"));
    const port = await freePort();
    const server = await startChild(null, port, { cwd, env: { PORT: String(port), HOST: host } });
    try {
      expect(server.stdout()).toMatch(banner);
      expect(banner.exec(server.stdout())?.[1]).toBe(String(port));
      const line = server
        .stdout()
        .split("\n")
        .find((l) => l.includes('"switchyard listening"')) as string;
      expect(JSON.parse(line)).toMatchObject({
        address: `${host || "127.0.0.1"}:${port}`,
        reach,
        url: `http://127.0.0.1:${port}`,
      });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      server.process.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    }
  });

  it("describes every kind of address it may bind", async () => {
    const { listenAddress } = await import("../src/http/listen-address.js");
    expect(listenAddress({ address: "::", family: "IPv6", port: 1 })).toEqual({
      address: "[::]:1",
      port: 1,
      reach: "all",
      url: "http://127.0.0.1:1",
    });
    expect(listenAddress({ address: "::1", family: "IPv6", port: 1 })).toMatchObject({
      reach: "loopback",
      url: "http://[::1]:1",
    });
    expect(listenAddress({ address: "10.0.0.5", family: "IPv4", port: 1 })).toMatchObject({
      reach: "one",
      url: "http://10.0.0.5:1",
    });
  });
});

describe("switchyard migrate", () => {
  it("applies the migrations once, then reports the database current", async () => {
    const file = join(temp.dir, "migrate.yaml");
    writeFileSync(file, `database: { url: "sqlite:${join(temp.dir, "migrate.db")}" }\n`);
    const first = await runCli(["migrate", "--config", file]);
    expect(first.stdout).toMatch(/^applied migrations: 1, 2/);
    const second = await runCli(["migrate", "--config", file]);
    expect(second.stdout.trim()).toBe("database is up to date");
  });
});

describe("switchyard serve --role", () => {
  it("refuses a split role on SQLite, which serves one process", async () => {
    const file = join(temp.dir, "role.yaml");
    writeFileSync(file, `database: { url: "sqlite:${join(temp.dir, "role.db")}" }\n`);
    const result = await runCli(["serve", "--config", file, "--role", "worker", "--port", "0"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--role worker needs a store several processes can share (PostgreSQL)");
    const bad = await runCli(["serve", "--config", file, "--role", "everything"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("Allowed choices are all, ingest, worker");
  });
});

describe("switchyard doctor", () => {
  it("doctor finds nothing wrong with the zero-config start, before and after it ran, and warns of a destination the SSRF guard always refuses", {
    timeout: 120_000,
  }, async () => {
    const { mkdirSync } = await import("node:fs");
    const cwd = join(temp.dir, "doctor-fresh");
    mkdirSync(cwd);
    const before = await runCli(["doctor"], { cwd });
    expect(before.code).toBe(0);
    expect(before.stdout).not.toMatch(/^(warn|FAIL)/m);
    expect(before.stdout).toMatch(/^ok\s+migrations: a new database/m);
    const port = await freePort();
    const server = await startChild(null, port, { cwd, env: { PORT: String(port), HOST: "127.0.0.1" } });
    server.process.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    const after = await runCli(["doctor"], { cwd });
    expect(after.code).toBe(0);
    expect(after.stdout).not.toMatch(/^(warn|FAIL)/m);
    expect(after.stdout).toMatch(
      /^ok\s+secrets: source vercel signed with the webhook secret kept in .*credentials\.json$/m,
    );
    expect(after.stdout).toMatch(
      /^ok\s+admin token: the one generated on first start, kept in .*credentials\.json$/m,
    );

    const file = join(temp.dir, "doctor-ssrf.yaml");
    writeFileSync(
      file,
      [
        `database: { url: "sqlite:${join(temp.dir, "doctor-ssrf.db")}" }`,
        "adminToken: doctor-admin-token-0123",
        "sources: [{ slug: v, kind: vercel, secrets: [s] }]",
        "destinations:",
        "  - { slug: local-app, url: 'http://localhost:3000/hooks' }",
        "  - { slug: metadata, url: 'http://169.254.169.254/latest' }",
        "  - { slug: mine, url: 'http://127.0.0.1:4000/', allowPrivateNetwork: true }",
        "  - { slug: public, url: 'https://hooks.example.com/x' }",
      ].join("\n"),
    );
    const ssrf = await runCli(["doctor", "--config", file]);
    expect(ssrf.code).toBe(0);
    const warned = ssrf.stdout.split("\n").filter((l) => l.startsWith("warn  ssrf: destination"));
    expect(warned).toHaveLength(2);
    expect(warned[0]).toContain("destination local-app (http://localhost:3000/hooks) is at localhost");
    expect(warned[0]).toContain("set allowPrivateNetwork: true on it");
    expect(warned[1]).toContain("destination metadata (http://169.254.169.254/latest) is at 169.254.169.254");
  });

  it("reports each check and fails on what is wrong", { timeout: 30_000 }, async () => {
    const db = join(temp.dir, "doctor.db");
    const file = join(temp.dir, "doctor.yaml");
    writeFileSync(
      file,
      `database: { url: "sqlite:${db}" }\nadminToken: doctor-admin-token-0123\nsources: [{ slug: v, kind: vercel, secrets: [s] }]\n`,
    );
    await runCli(["migrate", "--config", file]);
    const good = await runCli(["doctor", "--config", file]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^ok\s+config: valid/m);
    expect(good.stdout).toMatch(/^ok\s+database: reachable, sqlite/m);
    expect(good.stdout).toMatch(/^ok\s+migrations: current/m);
    expect(good.stdout).toMatch(/^ok\s+ssrf: /m);
    const bad = join(temp.dir, "doctor-bad.yaml");
    writeFileSync(bad, "retention: 1d\n");
    const failed = await runCli(["doctor", "--config", bad]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^FAIL\s+config: [\s\S]*retention/m);
    const integration = join(temp.dir, "doctor-integration.yaml");
    const section = (publicUrl: string) =>
      `database: { url: "sqlite:${db}" }\nintegration: { slug: my-relay, clientId: oac_abc123, clientSecret: s3cr3t, publicUrl: "${publicUrl}" }\n`;
    writeFileSync(integration, section("https://relay.example.com/"));
    const urls = await runCli(["doctor", "--config", integration]);
    expect(urls.code).toBe(0);
    expect(urls.stdout).toMatch(
      /^ok\s+integration: Redirect URL\s+https:\/\/relay\.example\.com\/integrations\/vercel\/callback$/m,
    );
    expect(urls.stdout).toMatch(
      /^ok\s+integration: Configuration URL\s+https:\/\/relay\.example\.com\/integrations\/vercel\/configure$/m,
    );
    expect(urls.stdout).toMatch(
      /^ok\s+integration: Webhook URL\s+https:\/\/relay\.example\.com\/integrations\/vercel\/webhook$/m,
    );
    expect(urls.stdout).toMatch(
      /^ok\s+integration: install link\s+https:\/\/relay\.example\.com\/integrations\/vercel\/install$/m,
    );
    expect(urls.stdout).not.toContain("s3cr3t");
    writeFileSync(integration, section("http://relay.example.com"));
    const plain = await runCli(["doctor", "--config", integration]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/^FAIL\s+integration: publicUrl http:\/\/relay\.example\.com: http/m);
    const pg = join(temp.dir, "doctor-pg.yaml");
    writeFileSync(pg, 'database: { url: "postgres://nobody@127.0.0.1:1/none" }\n');
    const down = await runCli(["doctor", "--config", pg]);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/^FAIL\s+database: unreachable, postgres/m);
  });
});
