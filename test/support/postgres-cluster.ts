// A throwaway PostgreSQL server for the tests that stop or restart their database, so that they
// never touch a server anyone else uses: `initdb` into a temporary folder, its own free port on
// loopback and its unix socket in that folder, trust authentication, stopped and removed
// afterwards. PostgreSQL refuses to run as root: as root, its programs run as the `postgres` OS
// user (`runuser`), in a folder that user owns.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { freePort } from "./child.js";

const run = promisify(execFile);

/** A running throwaway PostgreSQL server. */
export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/<database>`, trust authentication. */
  url: string;
  port: number;
  /** The temporary folder holding the data, the socket and the log. */
  dir: string;
  /** The postmaster's process id (it changes with each restart). */
  pid(): number;
  /** Restarts the server (`pg_ctl restart -m fast`), resolving once it accepts connections again. */
  restart(): Promise<void>;
  /** Stops the server at once and removes its folder; idempotent. */
  stop(): Promise<void>;
}

/**
 * The folder of PostgreSQL's server programs: SWITCHYARD_TEST_PG_BIN, else the newest
 * /usr/lib/postgresql/<version>/bin (Debian, Ubuntu), else null.
 */
export function postgresBinDir(): string | null {
  const named = process.env.SWITCHYARD_TEST_PG_BIN;
  if (named) return existsSync(join(named, "initdb")) ? named : null;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : null;
}

/**
 * When the server at `url` (the machine's shared one) started, or null when none answers: a test
 * that restarts its own throwaway server checks this did not change.
 */
export async function serverStartTime(url: string): Promise<string | null> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    const [row] = await sql<{ started: string }[]>`SELECT pg_postmaster_start_time()::text AS started`;
    return row?.started ?? null;
  } catch {
    return null;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

const asRoot = () => process.getuid?.() === 0;

/** The command line that runs a PostgreSQL program: as the `postgres` OS user when this process is root. */
function command(bin: string, program: string, args: string[]): [string, string[]] {
  const path = join(bin, program);
  return asRoot() ? ["runuser", ["-u", "postgres", "--", path, ...args]] : [path, args];
}

/** Starts a fresh PostgreSQL server with an empty `database`; `stop()` it in an afterAll. */
export async function startPostgresCluster(options: { database?: string } = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("no PostgreSQL server programs (initdb) found; set SWITCHYARD_TEST_PG_BIN");
  const database = options.database ?? "test";
  const dir = mkdtempSync(join(tmpdir(), "switchyard-pg-"));
  const data = join(dir, "data");
  const socket = join(dir, "socket");
  const log = join(dir, "postgres.log");
  mkdirSync(socket);
  if (asRoot()) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
    for (const path of [dir, socket]) chownSync(path, uid, gid);
  }
  const pg = (program: string, args: string[]) => {
    const [file, argv] = command(bin, program, args);
    return run(file, argv, { cwd: dir });
  };
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    if (existsSync(join(data, "postmaster.pid"))) {
      const [file, argv] = command(bin, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      spawnSync(file, argv, { cwd: dir, stdio: "ignore" });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Should the test process end without its afterAll, the server goes with it.
  process.once("exit", stopNow);

  try {
    await pg("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "-A",
      "trust",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    const port = await freePort();
    // The machine's shared server listens on 5432, so a free port is never its port.
    const settings = `-p ${port} -k ${socket} -c listen_addresses=127.0.0.1`;
    const ctl = async (action: "start" | "restart", mode: string[] = []) => {
      try {
        await pg("pg_ctl", ["-D", data, "-l", log, "-w", "-t", "60", ...mode, "-o", settings, action]);
      } catch (error) {
        const tail = existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-20).join("\n") : "";
        throw new Error(`pg_ctl ${action} failed: ${(error as Error).message}\n${tail}`);
      }
    };
    await ctl("start");
    const admin = postgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`CREATE DATABASE "${database}"`);
    } finally {
      await admin.end({ timeout: 1 });
    }
    return {
      url: `postgres://postgres@127.0.0.1:${port}/${database}`,
      port,
      dir,
      pid: () => Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]),
      restart: () => ctl("restart", ["-m", "fast"]),
      async stop() {
        process.off("exit", stopNow);
        stopNow();
      },
    };
  } catch (error) {
    process.off("exit", stopNow);
    stopNow();
    throw error;
  }
}
