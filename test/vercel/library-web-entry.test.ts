// The web entries (switchyard/vercel, /next, /hono) must load and verify where node's modules do
// not exist: edge functions, Workers, Deno. They run here, built, in a node whose every import and
// require of a built-in throws (fixtures/forbid-node-builtins.mjs), and which, as Workers do,
// refuses to compile code from strings (eval, new Function).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const DIST = fileURLToPath(new URL("../../dist/vercel/", import.meta.url));
const FORBID = fileURLToPath(new URL("./fixtures/forbid-node-builtins.mjs", import.meta.url));
const SOURCES = [
  fileURLToPath(new URL("../../src/vercel/", import.meta.url)),
  fileURLToPath(new URL("../../src/signatures/", import.meta.url)),
];

/** Runs `script` (an ES module) with built-ins forbidden; `dist` is the folder of the built entries. */
function runWithoutBuiltins(script: string) {
  const flags = ["--disallow-code-generation-from-strings", "--import", FORBID, "--input-type=module"];
  return spawnSync(process.execPath, [...flags, "-e", script, DIST], {
    encoding: "utf8",
    timeout: 60_000,
  });
}

it("dist is built from the current sources", () => {
  const built = statSync(`${DIST}index.js`).mtimeMs;
  for (const folder of SOURCES) {
    for (const file of readdirSync(folder, { recursive: true, encoding: "utf8" })) {
      if (!file.endsWith(".ts")) continue;
      expect(
        statSync(folder + file).mtimeMs <= built,
        `${file} is newer than dist: run \`npm run build\``,
      ).toBe(true);
    }
  }
});

it("loads the web entries and verifies a webhook without any node built-in", () => {
  const run = runWithoutBuiltins(`
    const dist = process.argv[1];
    const lib = await import(dist + "index.js");
    const { vercelWebhookHandler } = await import(dist + "next.js");
    const { vercelWebhookMiddleware } = await import(dist + "hono.js");
    const secret = "whsec_current";
    const body = JSON.stringify(lib.sampleEvent("deployment.error"));
    const signature = await lib.signVercelPayload(body, secret);
    const request = (sig) => new Request("https://app.test/api/vercel", {
      method: "POST", body, headers: { "x-vercel-signature": sig },
    });
    const event = await lib.verifyVercelWebhook(request(signature), [secret]);
    const refused = await lib.verifyVercelWebhook(request("0".repeat(40)), secret).catch((e) => e.code);
    let seen = null;
    const POST = vercelWebhookHandler({ secret, on: { "deployment.error": (e) => { seen = e.id; } } });
    const answer = await POST(request(signature));
    console.log(JSON.stringify({
      type: event.type, refused, status: answer.status, seen: seen === event.id,
      middleware: typeof vercelWebhookMiddleware,
    }));
  `);
  expect(run.stderr).toBe("");
  expect(JSON.parse(run.stdout)).toEqual({
    type: "deployment.error",
    refused: "invalid_signature",
    status: 200,
    seen: true,
    middleware: "function",
  });
});

it("would catch code compiled from strings", () => {
  const run = runWithoutBuiltins("new Function('return 1')();");
  expect(run.stderr).toMatch(/Code generation from strings disallowed/);
});

it("would catch an entry that needs one: switchyard/vercel/node does", () => {
  const run = runWithoutBuiltins(`await import(process.argv[1] + "node.js");`);
  expect(run.status).not.toBe(0);
  expect(run.stderr).toMatch(/node built-in (imported|required): node:/);
});
