import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SOURCE = fileURLToPath(new URL("../../src/", import.meta.url));
const BUILD = fileURLToPath(new URL("../../dist/", import.meta.url));

/** The newest modification time of the files under `dir`, or -1 when there are none. */
function newestIn(dir: string): number {
  let newest = -1;
  try {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  } catch {
    return -1;
  }
  return newest;
}

/**
 * How a child process runs the CLI: the build in dist/ when it was made after the last change to
 * any source file (`npm test` builds before it runs the suites, and `npm ci` builds too), which
 * starts in about half the time and needs no TypeScript loader in the child or its threads; else
 * the source through tsx's loader (by absolute URL, so children may run in any working directory).
 * SWITCHYARD_TEST_FROM_SOURCE=1 always takes the source.
 */
const CLI: readonly string[] =
  process.env.SWITCHYARD_TEST_FROM_SOURCE !== "1" && newestIn(BUILD) > newestIn(SOURCE)
    ? [join(BUILD, "cli/main.js")]
    : [
        "--import",
        pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href,
        join(SOURCE, "cli/main.ts"),
      ];

/**
 * The command line that runs `argv`; with `fileModes`, as root, without the capabilities that let
 * root ignore file modes (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so that a folder or file without
 * write permission refuses the process as it would refuse any user.
 */
function command(argv: string[], fileModes = false): [string, string[]] {
  if (!fileModes || process.getuid?.() !== 0) return [argv[0] as string, argv.slice(1)];
  return ["setpriv", ["--bounding-set=-dac_override,-dac_read_search", "--", ...argv]];
}

/** Runs the CLI (see CLI) to completion; resolves with its exit code and output. */
export function runCli(
  args: string[],
  options: { cwd?: string; input?: string; env?: Record<string, string>; fileModes?: boolean } = {},
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const [file, argv] = command([process.execPath, ...CLI, ...args], options.fileModes);
    const child = spawn(file, argv, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdin.end(options.input ?? "");
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A free loopback port, chosen by the kernel. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

export interface Child {
  process: ChildProcess;
  url: string;
  /** Resolves with the exit code or signal once the process has ended. */
  exited: Promise<number | string>;
  /** Everything the process has printed on stdout so far. */
  stdout(): string;
  /** Everything the process has printed on stderr so far. */
  stderr(): string;
}

/**
 * Runs `switchyard serve` (see CLI) as a child process and resolves once it logs that it is
 * listening (waiting on the log line, not on a timer). `configFile` null: the embedded defaults.
 */
export async function startChild(
  configFile: string | null,
  port: number,
  options: {
    env?: Record<string, string>;
    cwd?: string;
    args?: string[];
    /** Called with each line the process prints on stdout, before it is listening too. */
    onLine?: (line: string) => void;
  } = {},
): Promise<Child> {
  const config = configFile ? ["--config", configFile] : [];
  const args = ["serve", ...config, "--port", String(port), ...(options.args ?? [])];
  const child = spawn(process.execPath, [...CLI, ...args], {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  let stderr = "";
  let stdout = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let scanned = 0;
    let found = false;
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (found && !options.onLine) return;
      // Only the complete lines not yet looked at: a busy child prints a lot.
      const end = stdout.lastIndexOf("\n") + 1;
      for (const line of stdout.slice(scanned, end).split("\n")) {
        if (line) options.onLine?.(line);
        if (line.includes('"switchyard listening"')) {
          found = true;
          resolve((JSON.parse(line) as { url: string }).url);
        }
      }
      scanned = end;
    });
    exited.then((code) => reject(new Error(`switchyard exited (${code}) before listening:\n${stderr}`)));
  });
  return { process: child, url, exited, stdout: () => stdout, stderr: () => stderr };
}

/**
 * Writes the config file of a child process: its database, one vercel source with `secret`, and,
 * given a sink, a destination for it (with `settings`, YAML flow-map entries) every event is
 * routed to. Returns the file's path.
 */
export function writeChildConfig(
  file: string,
  o: { databaseUrl: string; secret: string; sink?: { url: string; settings?: string } },
): string {
  const lines = [
    `database: { url: "${o.databaseUrl}" }`,
    "adminToken: child-admin-token-0123456789",
    "log: { level: info }",
    "server: { host: 127.0.0.1 }",
    `sources: [{ slug: vercel, kind: vercel, secrets: ["${o.secret}"] }]`,
  ];
  if (o.sink) {
    const settings = o.sink.settings ? `, ${o.sink.settings}` : "";
    lines.push(
      `destinations: [{ slug: sink, url: "${o.sink.url}"${settings} }]`,
      "routes: [{ slug: all, source: vercel, destinations: [sink] }]",
      "delivery: { allowPrivateNetworks: true }",
    );
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** A CLI command running in a child process, whose output a test waits on line by line. */
export interface CliProcess {
  process: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string>;
  /** Every complete line printed on stdout so far. */
  lines(): string[];
  stderr(): string;
  /** Resolves with the first line on stdout from `from` on that matches; rejects if the process ends first. */
  line(match: RegExp, from?: number): Promise<string>;
}

/** Starts the CLI (see CLI) with `args`, reading its output as it comes. */
export function spawnCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): CliProcess {
  const child = spawn(process.execPath, [...CLI, ...args], {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let partial = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  let ended = false;
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => {
      ended = true;
      for (const wake of waiters) wake();
      resolve(code ?? signal ?? -1);
    }),
  );
  child.stdout?.on("data", (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    for (const wake of waiters) wake();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return {
    process: child,
    exited,
    lines: () => lines,
    stderr: () => stderr,
    line: (match, from = 0) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const found = lines.slice(from).find((l) => match.test(l));
          if (found !== undefined) {
            waiters.delete(check);
            resolve(found);
          } else if (ended) {
            waiters.delete(check);
            reject(new Error(`exited without printing ${match}:\n${lines.join("\n")}\n${stderr}`));
          }
        };
        waiters.add(check);
        check();
      }),
  };
}
