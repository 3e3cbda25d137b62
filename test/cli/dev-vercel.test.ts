// Runs on SQLite only: `switchyard dev vercel` always runs on a SQLite file in its own data folder.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/app.js";
import { freePort } from "../support/child.js";

// The built CLI, as the package ships it: the fake Vercel must be in dist, not only in the tests.
const MAIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const FAKE = fileURLToPath(new URL("../../dist/dev/fake-vercel.js", import.meta.url));
const SOURCES = [
  "../../src/cli/dev-vercel.ts",
  "../../src/dev/fake-vercel.ts",
  "../../src/dev/fake-vercel-site.ts",
];

interface DevRun {
  process: ChildProcess;
  exited: Promise<number | string>;
  stdout(): string;
  stderr(): string;
}

/** Runs `switchyard dev vercel` from dist; resolves once it has printed how to stop it (or has exited). */
async function devVercel(args: string[], cwd: string): Promise<DevRun> {
  const child = spawn(process.execPath, [MAIN, "dev", "vercel", ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  await new Promise<void>((resolve) => {
    child.stdout?.on("data", (c: Buffer) => {
      stdout += c.toString();
      if (stdout.includes("Press Ctrl-C to stop both.")) resolve();
    });
    exited.then(() => resolve());
  });
  return { process: child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** The value printed after `label:` in the banner. */
function printed(run: DevRun, label: string): string {
  const value = new RegExp(`^  ${label}:\\s+(\\S+)$`, "m").exec(run.stdout())?.[1];
  expect(value, `"${label}" in:\n${run.stdout()}\n${run.stderr()}`).toBeDefined();
  return value as string;
}

/** Whether anything still accepts connections at a URL. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url);
    return true;
  } catch {
    return false;
  }
}

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
  redirect: "manual" as const,
});

const temp = tempDir();
let run: DevRun;
let app: string;
let site: string;

beforeAll(async () => {
  expect(existsSync(MAIN) && existsSync(FAKE), "dist is missing: run `npm run build` first").toBe(true);
  const built = statSync(FAKE).mtimeMs;
  for (const source of SOURCES) {
    const path = fileURLToPath(new URL(source, import.meta.url));
    expect(statSync(path).mtimeMs <= built, `${path} is newer than dist: run \`npm run build\``).toBe(true);
  }
  run = await devVercel(["--port", "0", "--data-dir", join(temp.dir, "data")], temp.dir);
  app = new URL(printed(run, "Install the integration")).origin;
  site = printed(run, "Fake Vercel dashboard").replace(/\/$/, "");
}, 60_000);

afterAll(async () => {
  if (run.process.exitCode === null) run.process.kill("SIGKILL");
  temp.cleanup();
});

describe("switchyard dev vercel", () => {
  it("prints the install link, the fake's dashboard, the integration's four URLs and how to stop", () => {
    expect(app).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app).not.toBe("http://127.0.0.1:0");
    expect(printed(run, "Install the integration")).toBe(`${app}/integrations/vercel/install`);
    expect(printed(run, "Redirect URL")).toBe(`${app}/integrations/vercel/callback`);
    expect(printed(run, "Configuration URL")).toBe(`${app}/integrations/vercel/configure`);
    expect(printed(run, "Webhook URL")).toBe(`${app}/integrations/vercel/webhook`);
    expect(printed(run, "Install link")).toBe(`${app}/integrations/vercel/install`);
    expect(site).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(printed(run, "Fake Vercel API")).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(run.stdout()).toContain("Press Ctrl-C to stop both.");
  });

  it("runs Switchyard on the SQLite file of its data folder", async () => {
    expect((await fetch(`${app}/healthz`)).status).toBe(200);
    expect(existsSync(join(temp.dir, "data", "switchyard.db"))).toBe(true);
    expect(existsSync(join(temp.dir, "data", "credentials.json"))).toBe(true);
  });

  it("serves the fake's dashboard and the page that asks where to install", async () => {
    const dashboard = await fetch(`${site}/`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain("No installation yet");
    const confirm = await fetch(`${site}/integrations/switchyard/new?state=st4te`);
    expect(confirm.status).toBe(200);
    const text = await confirm.text();
    expect(text).toContain("Install <strong>switchyard</strong> on");
    expect(text).toContain('<option value="team_fake1">');
  });

  it("answers the install link with a redirect to the fake site's install page, carrying a state", async () => {
    const res = await fetch(`${app}/integrations/vercel/install`, { redirect: "manual" });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get("location") ?? "");
    expect(`${to.origin}${to.pathname}`).toBe(`${site}/integrations/switchyard/new`);
    expect(to.searchParams.get("state")?.length).toBeGreaterThanOrEqual(22);
    expect(res.headers.get("set-cookie")).toContain("HttpOnly");
  });

  it("sends the browser back to Switchyard's Redirect URL after the install is confirmed", async () => {
    const res = await fetch(
      `${site}/integrations/switchyard/new`,
      form({ scope: "personal", state: "st4te" }),
    );
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get("location") ?? "");
    expect(`${to.origin}${to.pathname}`).toBe(`${app}/integrations/vercel/callback`);
    expect(to.searchParams.get("configurationId")).toMatch(/^icfg_/);
    expect(to.searchParams.get("state")).toBe("st4te");
  });

  it("sends a test event from the dashboard that Switchyard's webhook verifies and stores", async () => {
    const dashboard = await (await fetch(`${site}/`)).text();
    const configurationId = /<option value="(icfg_[0-9a-f]+)">/.exec(dashboard)?.[1] ?? "";
    expect(configurationId).not.toBe("");
    expect(dashboard).toContain(`${app}/integrations/vercel/configure?configurationId=${configurationId}`);
    const sent = await fetch(`${site}/events`, form({ type: "deployment.created", configurationId }));
    expect(sent.status).toBe(303);
    const after = await (await fetch(`${site}/`)).text();
    const id = /<tr><td><code>(evt_\w+)<\/code><\/td><td>deployment\.created<\/td>/.exec(after)?.[1];
    expect(after).toContain("<td>200</td>");
    // Switchyard has no installation of it (its callback exchanges the code), so it keeps the event apart.
    const { adminToken } = JSON.parse(readFileSync(join(temp.dir, "data", "credentials.json"), "utf8"));
    const list = await fetch(`${app}/api/v1/events?tenant=unclaimed&type=deployment.created`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(list.status).toBe(200);
    const body = (await list.json()) as {
      data: { externalId: string | null; source: string; schemaIssues: string[] }[];
    };
    expect(id).toMatch(/^evt_/);
    expect(body.data).toEqual([
      expect.objectContaining({ externalId: id, source: "vercel-integration", schemaIssues: [] }),
    ]);
  });

  it("closes both on Ctrl-C and exits 0", { timeout: 30_000 }, async () => {
    run.process.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(await answers(`${app}/healthz`)).toBe(false);
    expect(await answers(`${site}/`)).toBe(false);
  });
});

describe("switchyard dev vercel's options", () => {
  it("listens on the ports it is given, takes the rest from -c, and never the file's database", {
    timeout: 60_000,
  }, async () => {
    const [port, sitePort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const file = join(temp.dir, "dev.yaml");
    writeFileSync(file, 'database: { url: "postgres://nobody@127.0.0.1:1/none" }\nlog: { level: warn }\n');
    const args = [
      "-c",
      file,
      "--port",
      String(port),
      "--site-port",
      String(sitePort),
      "--api-port",
      String(apiPort),
    ];
    const own = await devVercel([...args, "--data-dir", "own"], temp.dir);
    try {
      expect(printed(own, "Install the integration")).toBe(
        `http://127.0.0.1:${port}/integrations/vercel/install`,
      );
      expect(printed(own, "Fake Vercel dashboard")).toBe(`http://127.0.0.1:${sitePort}/`);
      expect(printed(own, "Fake Vercel API")).toBe(`http://127.0.0.1:${apiPort}`);
      expect(existsSync(join(temp.dir, "own", "switchyard.db"))).toBe(true);
      // log.level warn from the file: no info lines.
      expect(own.stdout()).not.toContain('"level":30');
      own.process.kill("SIGTERM");
      expect(await own.exited).toBe(0);
    } finally {
      own.process.kill("SIGKILL");
    }
  });

  it("stops with the reason, and exit code 1, when its port is taken", { timeout: 60_000 }, async () => {
    const { createServer } = await import("node:net");
    const taken = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => taken.once("listening", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const failed = await devVercel(["--port", String(port), "--data-dir", "taken"], temp.dir);
      expect(await failed.exited).toBe(1);
      expect(failed.stderr()).toContain("EADDRINUSE");
      expect(failed.stdout()).not.toContain("Press Ctrl-C");
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
