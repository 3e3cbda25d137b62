// A real Next.js dev server serving an App Router route built on `switchyard/vercel/next`, imported
// through the package's own exports (node_modules/switchyard links to this checkout, so dist must
// be built). The app lives under test-results/, so that Turbopack's root can hold both it and the
// real node_modules it links to.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signVercelBody } from "../../src/vercel/node.js";
import { freePort } from "../support/child.js";
import { signed, signedSample } from "../support/vercel-webhook.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MODULES = realpathSync(join(ROOT, "node_modules"));
const NEXT_BIN = join(MODULES, "next/dist/bin/next");

const ROUTE = `
import { vercelWebhookHandler } from "switchyard/vercel/next";

export const POST = vercelWebhookHandler({
  secret: [process.env.TEST_SECRET, process.env.TEST_SECRET_PREVIOUS],
  on: {
    "deployment.error": (event) => Response.json({ handled: event.id, url: event.payload.deployment.url }),
  },
});
`;

/** The deepest folder holding all of `paths`. */
function commonAncestor(paths: string[]): string {
  const split = paths.map((p) => p.split(sep));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((parts) => parts[n] === first[n])) n++;
  return first.slice(0, n).join(sep) || sep;
}

describe("vercelWebhookHandler in a real Next.js server", () => {
  const app = join(ROOT, "test-results", `next-app-${process.pid}`);
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    rmSync(app, { recursive: true, force: true });
    mkdirSync(join(app, "app/api/vercel"), { recursive: true });
    mkdirSync(join(app, "node_modules"));
    for (const name of ["next", "react", "react-dom"])
      symlinkSync(join(MODULES, name), join(app, "node_modules", name));
    symlinkSync(ROOT, join(app, "node_modules/switchyard"));
    writeFileSync(join(app, "package.json"), '{ "name": "webhook-app", "private": true }\n');
    const root = commonAncestor([app, MODULES, dirname(ROOT)]);
    writeFileSync(
      join(app, "next.config.mjs"),
      `export default { turbopack: { root: ${JSON.stringify(root)} } };\n`,
    );
    writeFileSync(join(app, "app/api/vercel/route.js"), ROUTE);
    mkdirSync(join(app, "app/api/edge"), { recursive: true });
    writeFileSync(join(app, "app/api/edge/route.js"), `export const runtime = "edge";\n${ROUTE}`);

    const port = await freePort();
    server = spawn(process.execPath, [NEXT_BIN, "dev", "--port", String(port), "--hostname", "127.0.0.1"], {
      cwd: app,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        NEXT_TELEMETRY_DISABLED: "1",
        TEST_SECRET: "whsec_current",
        TEST_SECRET_PREVIOUS: "whsec_old",
      },
    });
    let output = "";
    const ready = new Promise<void>((resolve, reject) => {
      server.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready in")) resolve();
      });
      server.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      server.once("exit", (code) => reject(new Error(`next dev exited (${code}):\n${output}`)));
    });
    await ready;
    url = `http://127.0.0.1:${port}/api/vercel`;
  }, 120_000);

  afterAll(async () => {
    if (server?.pid !== undefined && server.exitCode === null) {
      const exited = once(server, "exit");
      process.kill(-server.pid, "SIGTERM"); // the group: next dev and the next-server it started
      await exited;
    }
    rmSync(app, { recursive: true, force: true });
  });

  const post = (body: string, signature?: string) =>
    fetch(url, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        ...(signature ? { "x-vercel-signature": signature } : {}),
      },
    });

  it("hands a signed event to its function, and answers 200 to one without a function", async () => {
    const error = signedSample("deployment.error", "whsec_current");
    const handled = await post(error.body, error.signature);
    expect(handled.status).toBe(200);
    expect(await handled.json()).toEqual({
      handled: error.event.id,
      url: (error.event as unknown as { payload: { deployment: { url: string } } }).payload.deployment.url,
    });
    const other = signedSample("domain.certificate.add", "whsec_old");
    const acknowledged = await post(other.body, other.signature);
    expect([acknowledged.status, await acknowledged.json()]).toEqual([200, { ok: true }]);
  }, 60_000);

  it("runs on the Edge runtime too", async () => {
    const edge = url.replace("/api/vercel", "/api/edge");
    const error = signedSample("deployment.error", "whsec_current");
    const handled = await fetch(edge, {
      method: "POST",
      body: error.body,
      headers: { "x-vercel-signature": error.signature },
    });
    expect([handled.status, ((await handled.json()) as { handled: string }).handled]).toEqual([
      200,
      error.event.id,
    ]);
    const refused = await fetch(edge, {
      method: "POST",
      body: error.body,
      headers: { "x-vercel-signature": "0".repeat(40) },
    });
    expect(refused.status).toBe(401);
  }, 60_000);

  it("refuses bad and missing signatures, non-JSON and unknown types with the gateway's codes", async () => {
    const { body } = signedSample("deployment.error", "whsec_current");
    const notJson = signed("nope", "whsec_current");
    const unknown = signed(JSON.stringify({ id: "evt_1", type: "deployment.teleported" }), "whsec_current");
    const cases: Array<[Promise<Response>, number, string]> = [
      [post(body, signVercelBody(body, "whsec_other")), 401, "invalid_signature"],
      [post(body), 401, "invalid_signature"],
      [post(notJson.body, notJson.signature), 400, "invalid_json"],
      [post(unknown.body, unknown.signature), 400, "invalid_event"],
    ];
    for (const [pending, status, code] of cases) {
      const response = await pending;
      expect(response.status, code).toBe(status);
      expect(((await response.json()) as { code: string }).code).toBe(code);
    }
  }, 60_000);
});
