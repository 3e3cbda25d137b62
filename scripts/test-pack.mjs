// The package as an application gets it: `npm pack`, the tarball installed into an empty folder
// (its native dependencies compile there, a few minutes), then, in that folder, the README's quick
// start through the installed bin: `npx switchyard --version`, `npx switchyard serve` on a free
// port with its data in the folder, `npx switchyard trigger deployment.created`, the event read
// back from the API, and `switchyard/vercel` imported and type-checked from the installed package.
// Not in the vitest suite (the install is long); `npm run test:pack`, and a step of `.ci/run`.
//
// SWITCHYARD_PACK_KEEP=1 keeps the folder (its path is printed) to look at after a failure.
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
const work = mkdtempSync(join(tmpdir(), "switchyard-pack-"));
const app = join(work, "app");
const started = Date.now();
let server;

/** Prints a step with the seconds since the start. */
function step(text) {
  console.log(`[test:pack ${((Date.now() - started) / 1000).toFixed(0)}s] ${text}`);
}

/** Runs a command to its end, its output shown; throws on a non-zero exit. */
function run(command, args, cwd, env = {}) {
  execFileSync(command, args, { cwd, stdio: "inherit", env: { ...process.env, ...env } });
}

/** Runs a command and answers its stdout; throws, with its stderr, on a non-zero exit. */
function output(command, args, cwd, env = {}) {
  return execFileSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env } });
}

/** Fails the test with `message` unless `ok`. */
function check(ok, message) {
  if (!ok) throw new Error(message);
}

/** A TCP port nothing listens on now. */
async function freePort() {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address();
  probe.close();
  return port;
}

/** Starts `npx switchyard serve` in the app folder; resolves once it logs that it listens. */
function serve(port) {
  const child = spawn("npx", ["--no-install", "switchyard", "serve"], {
    cwd: app,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, "exit");
  const listening = new Promise((resolveListening, reject) => {
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes('"switchyard listening"')) resolveListening();
    });
    exited.then(([code, signal]) =>
      reject(new Error(`switchyard serve exited (${code ?? signal}) before listening:\n${stdout}${stderr}`)),
    );
  });
  return { child, exited, listening, output: () => stdout + stderr };
}

/** Stops the server's whole process group (npx and the node it started), and waits for it. */
async function stop() {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  process.kill(-server.child.pid, "SIGTERM");
  await server.exited;
}

try {
  step(`npm pack (switchyard ${version}, Node ${process.version})`);
  const packed = JSON.parse(output("npm", ["pack", "--json", "--pack-destination", work], root));
  const tarball = join(work, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  check(files.includes("dist/cli/main.js"), "the tarball has no dist/cli/main.js");
  check(files.includes("scripts/patch-postgres.mjs"), "the tarball has no scripts/patch-postgres.mjs");
  check(!files.some((f) => f.startsWith("src/") || f.startsWith("test/")), "the tarball holds src/ or test/");
  step(`${packed[0].filename}: ${files.length} files, ${(packed[0].size / 1024).toFixed(0)} KiB`);

  mkdirSync(app);
  // The install scripts an application approves (npm 11 warns about the others): the native
  // builds, and Switchyard's own fix of postgres.js.
  const allowScripts = { "better-sqlite3": true, "isolated-vm": true, switchyard: true };
  const manifest = { name: "app", private: true, type: "module", allowScripts };
  writeFileSync(join(app, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  step("npm install <tarball> into an empty folder");
  run("npm", ["install", "--no-fund", "--no-audit", tarball], app);
  const fixed = readFileSync(join(app, "node_modules/postgres/src/connection.js"), "utf8");
  check(fixed.includes("closed while a write was buffered"), "postgres.js was not fixed at install");

  step("npx switchyard --version");
  const printed = output("npx", ["--no-install", "switchyard", "--version"], app).trim();
  check(printed === version, `--version printed ${JSON.stringify(printed)}, not ${version}`);

  const port = await freePort();
  step(`npx switchyard serve (port ${port}, data in ${app}/.switchyard)`);
  server = serve(port);
  await server.listening;
  check(server.output().includes("Switchyard is running."), `no banner:\n${server.output()}`);

  step("npx switchyard trigger deployment.created");
  run("npx", ["--no-install", "switchyard", "trigger", "deployment.created"], app, { PORT: String(port) });
  const { adminToken } = JSON.parse(readFileSync(join(app, ".switchyard/credentials.json"), "utf8"));
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/events`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  check(response.status === 200, `GET /api/v1/events answered ${response.status}`);
  const events = (await response.json()).data;
  check(
    events.length === 1 && events[0].type === "deployment.created",
    `the API lists ${JSON.stringify(events.map((e) => e.type))}, not the one deployment.created`,
  );
  await stop();
  const [code, signal] = await server.exited;
  check(code === 0 || signal === "SIGTERM", `switchyard serve ended with ${code ?? signal} on SIGTERM`);

  step("import switchyard/vercel, and type-check a file that uses it");
  const use = (typed) =>
    [
      'import { isVercelEvent, sampleEvent, signVercelPayload, verifyVercelPayloadSignature } from "switchyard/vercel";',
      'import { verifyVercelSignature } from "switchyard/vercel/node";',
      `const event${typed ? ": unknown" : ""} = sampleEvent("deployment.created");`,
      'if (!isVercelEvent(event, "deployment.created")) throw new Error("not a deployment.created");',
      `const url${typed ? ": string" : ""} = event.payload.deployment.url;`,
      'if (verifyVercelSignature("{}", "0", ["secret"])) throw new Error("a wrong signature verified");',
      'const signature = await signVercelPayload("{}", "secret");',
      'if (!(await verifyVercelPayloadSignature("{}", signature, ["secret"]))) throw new Error("a good signature failed");',
      "console.log(url.length > 0);",
      "",
    ].join("\n");
  writeFileSync(join(app, "use.ts"), use(true));
  writeFileSync(join(app, "use.mjs"), use(false));
  // The repository's TypeScript and Node types: the application needs neither to run.
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  const types = ["--typeRoots", join(root, "node_modules/@types"), "--types", "node"];
  const options = ["--noEmit", "--strict", "--module", "nodenext", "--target", "es2023", ...types];
  run(process.execPath, [tsc, ...options, "use.ts"], app);
  const imported = output(process.execPath, ["use.mjs"], app);
  check(imported.trim() === "true", `running use.mjs printed ${JSON.stringify(imported)}`);
  step("passed");
} catch (error) {
  console.error(`[test:pack] failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  await stop().catch(() => {});
  if (process.env.SWITCHYARD_PACK_KEEP === "1") console.log(`[test:pack] kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
