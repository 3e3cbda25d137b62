// Starting, watching and stopping the benchmark's child processes, pinned to a CPU when possible.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { createInterface } from "node:readline";

const TASKSET = "/usr/bin/taskset";
/** Clock ticks per second of /proc/<pid>/stat; 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** @typedef {import("node:child_process").ChildProcessWithoutNullStreams} Child */

/** Whether servers and load generator can each get a CPU of their own. */
export function canPin() {
  return existsSync(TASKSET) && availableParallelism() >= 2;
}

/** Every child still running, so a failed run can stop them. */
const running = new Set();

/**
 * Starts `node ...args`, under `taskset -c cpu` when `cpu` is a number. Keeps the last lines of
 * stderr so a failure can be explained.
 * @param {string[]} args
 * @param {{ cpu?: number | undefined, env?: NodeJS.ProcessEnv, cwd?: string }} [options]
 */
export function startNode(args, options = {}) {
  const command =
    options.cpu === undefined
      ? [process.execPath, ...args]
      : [TASKSET, "-c", String(options.cpu), process.execPath, ...args];
  const child = /** @type {Child} */ (
    spawn(/** @type {string} */ (command[0]), command.slice(1), {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    })
  );
  running.add(child);
  child.once("exit", () => running.delete(child));
  /** @type {string[]} */
  const stderr = [];
  createInterface({ input: child.stderr }).on("line", (line) => {
    stderr.push(line);
    if (stderr.length > 40) stderr.shift();
  });
  const lines = createInterface({ input: child.stdout });
  return {
    child,
    lines,
    /** The last lines the child wrote to stderr. */
    stderr: () => stderr.join("\n"),
  };
}

/** @typedef {ReturnType<typeof startNode>} Started */

/**
 * Resolves with the first JSON line of the child's stdout that `match` accepts. Rejects if the
 * child exits first or nothing matches within `timeoutMs` (a deadline, not a sleep: the line
 * itself is what is awaited).
 * @param {Started} started
 * @param {(line: Record<string, unknown>) => boolean} match
 * @param {string} what
 * @param {number} [timeoutMs]
 * @returns {Promise<Record<string, unknown>>}
 */
export function waitForLine(started, match, what, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const finish = (/** @type {() => void} */ settle) => {
      clearTimeout(timer);
      started.lines.off("line", onLine);
      started.child.off("exit", onExit);
      settle();
    };
    const onLine = (/** @type {string} */ text) => {
      let line;
      try {
        line = JSON.parse(text);
      } catch {
        return;
      }
      if (line !== null && typeof line === "object" && match(line)) finish(() => resolve(line));
    };
    const onExit = (/** @type {number | null} */ code) =>
      finish(() => reject(new Error(`${what}: the process exited (${code}) first\n${started.stderr()}`)));
    const timer = setTimeout(
      () => finish(() => reject(new Error(`${what}: nothing after ${timeoutMs} ms\n${started.stderr()}`))),
      timeoutMs,
    );
    started.lines.on("line", onLine);
    started.child.once("exit", onExit);
  });
}

/**
 * Sends `signal` and resolves with how the child ended.
 * @param {Started} started
 * @param {NodeJS.Signals} [signal]
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null }>}
 */
export function stop(started, signal = "SIGTERM") {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once("exit", (code, sig) => resolve({ code, signal: sig }));
    child.kill(signal);
  });
}

/** Kills every child this module started that is still running (after a failure). */
export function killAll() {
  for (const child of running) child.kill("SIGKILL");
}

/**
 * CPU seconds (user + system, every thread) a process has used so far; null off Linux.
 * @param {number | undefined} pid
 */
export function cpuSeconds(pid) {
  try {
    return cpuSecondsOf(`/proc/${pid}/stat`);
  } catch {
    return null;
  }
}

/**
 * CPU seconds each thread of a process has used so far, by thread id (the main thread's id is the
 * pid); null off Linux or once the process is gone.
 * @param {number | undefined} pid
 * @returns {Map<number, number> | null}
 */
export function threadSeconds(pid) {
  try {
    const threads = new Map();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        threads.set(Number(tid), cpuSecondsOf(`/proc/${pid}/task/${tid}/stat`));
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return threads;
  } catch {
    return null;
  }
}

/**
 * Where a process's CPU went between two `threadSeconds` snapshots, in CPU seconds: its main
 * thread, its busiest other thread (a server's writer thread, when it has one) and all the rest
 * (V8's compiler and garbage-collector helpers, libuv's pool).
 * @param {number | undefined} pid
 * @param {Map<number, number> | null} a
 * @param {Map<number, number> | null} b
 */
export function threadSplit(pid, a, b) {
  if (a === null || b === null || pid === undefined) return null;
  let main = 0;
  let busiest = 0;
  let total = 0;
  for (const [tid, after] of b) {
    const used = after - (a.get(tid) ?? 0);
    total += used;
    if (tid === pid) main = used;
    else busiest = Math.max(busiest, used);
  }
  return { main, busiestOther: busiest, rest: total - main - busiest };
}

/** User + system CPU seconds from a /proc stat file. */
function cpuSecondsOf(/** @type {string} */ path) {
  const stat = readFileSync(path, "utf8");
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * The times of one line of /proc/stat (`cpu`: the whole machine, `cpu0`: CPU 0) so far, in
 * seconds: busy (user, nice, system, irq, softirq), waiting on the disk (iowait: idle while a task
 * waits for I/O), idle, and stolen by the hypervisor; null off Linux or without that line.
 * @param {string} name
 */
function procStatSeconds(name) {
  try {
    const line = readFileSync("/proc/stat", "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${name} `));
    if (line === undefined) return null;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return {
      busy: (Number(user) + Number(nice) + Number(system) + Number(irq) + Number(softirq)) / CLOCK_TICKS,
      iowait: Number(iowait) / CLOCK_TICKS,
      idle: Number(idle) / CLOCK_TICKS,
      steal: Number(steal) / CLOCK_TICKS,
    };
  } catch {
    return null;
  }
}

/**
 * One CPU's time so far, in seconds (busy, iowait, idle, steal: `procStatSeconds`); null off Linux.
 * @param {number} cpu
 */
export function coreSeconds(cpu) {
  return procStatSeconds(`cpu${cpu}`);
}

/**
 * CPU seconds the whole machine has spent busy (every CPU, steal excluded) and stolen by the
 * hypervisor so far, from /proc/stat; null off Linux.
 */
export function machineSeconds() {
  const all = procStatSeconds("cpu");
  return all && { busy: all.busy, steal: all.steal };
}
