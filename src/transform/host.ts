import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TransformCompileError } from "./compile-error.js";
import { encodeFrame, FrameReader } from "./frames.js";
import {
  CHANNEL_FD,
  type HostReply,
  type HostRequest,
  type HostSettings,
  type KillReason,
  REPORT_FD,
  type WithoutId,
} from "./protocol.js";
import type { SandboxLimits } from "./sandbox.js";

/** Why the sandbox process ended, and the error its call got. */
export interface SandboxDeath {
  reason: KillReason | "crash";
  message: string;
}

/** What a call of a route's transform gave; `json` and `text` carry the output's bytes. */
export type HostResult =
  | { kind: "json" | "text"; body: Buffer }
  | { kind: "skip" }
  | { kind: "error"; message: string; line: number | null };

type Request = WithoutId<HostRequest>;

interface Call {
  request: Request;
  payload: Uint8Array | string;
  resolve: (reply: { reply: HostReply; payload: Buffer }) => void;
  /** A compile a new process makes of a route compiled before, which nobody waits for. */
  internal?: boolean;
}

interface Running {
  child: ChildProcess;
  channel: Socket;
  /** Why the watchdog killed the process, once it has said so. */
  report: string;
}

/**
 * The process that runs routes' code (host-process.ts), seen from Switchyard: calls go to it over a
 * pipe and come back in order. It starts on the first compile. When it dies (its watchdog killed it
 * for a call past a hard limit, or it crashed), the call it was running fails with the reason, a
 * new process is started with every route compiled again, and the calls queued behind are sent
 * to it, once.
 */
export class SandboxHost {
  private running: Running | null = null;
  private readonly calls = new Map<number, Call>();
  private nextId = 1;
  /** The code of every route compiled, by tenant then route, to compile again in a new process. */
  private readonly code = new Map<string, Map<string, { code: string; filename: string }>>();
  private closed = false;
  /** Processes started so far (the first, and one after each death). */
  starts = 0;

  constructor(
    readonly limits: SandboxLimits,
    private readonly onDeath: (death: SandboxDeath) => void = () => {},
  ) {}

  /** The sandbox process's id while one runs. */
  get pid(): number | undefined {
    return this.running?.child.pid;
  }

  /** Compiles a route's code in its tenant's isolate; rejects with TransformCompileError when it cannot. */
  async compile(tenant: string, route: string, code: string, filename: string): Promise<void> {
    const { reply } = await this.call({ op: "compile", tenant, route, filename }, code);
    if (reply.kind === "compile_error") throw new TransformCompileError(reply.message, reply.line);
    if (reply.kind === "error") throw new TransformCompileError(reply.message, null);
    const routes = this.code.get(tenant) ?? new Map();
    this.code.set(tenant, routes);
    routes.set(route, { code, filename });
  }

  /** Runs a route's transform on an event's raw JSON. Never rejects for anything the code does. */
  async run(tenant: string, route: string, raw: Uint8Array, meta: object): Promise<HostResult> {
    const { reply, payload } = await this.call({ op: "run", tenant, route, meta }, raw);
    switch (reply.kind) {
      case "json":
      case "text":
        return { kind: reply.kind, body: payload };
      case "skip":
        return { kind: "skip" };
      case "error":
      case "compile_error":
        return { kind: "error", message: reply.message, line: reply.line };
      case "ok":
        return { kind: "error", message: "the sandbox gave no result", line: null };
    }
  }

  /** Forgets a route's code, or every route of a tenant (`route` null). */
  async drop(tenant: string, route: string | null): Promise<void> {
    if (route === null) this.code.delete(tenant);
    else this.code.get(tenant)?.delete(route);
    if (this.running) await this.call({ op: "drop", tenant, route }, "");
  }

  /** Stops the process; calls still waiting fail. */
  async close(): Promise<void> {
    this.closed = true;
    const running = this.running;
    this.running = null;
    this.failAll("the sandbox was closed");
    if (!running) return;
    const exited = new Promise<void>((resolve) => {
      if (running.child.exitCode !== null || running.child.signalCode !== null) resolve();
      else running.child.once("exit", () => resolve());
    });
    running.channel.end();
    const timer = setTimeout(() => running.child.kill("SIGKILL"), 2_000);
    await exited;
    clearTimeout(timer);
  }

  private call(request: Request, payload: Uint8Array | string) {
    return new Promise<{ reply: HostReply; payload: Buffer }>((resolve) => {
      if (this.closed) {
        const id = 0;
        resolve({
          reply: { id, kind: "error", message: "the sandbox was closed", line: null },
          payload: EMPTY,
        });
        return;
      }
      const id = this.nextId++;
      this.calls.set(id, { request, payload, resolve });
      this.send(id);
    });
  }

  private send(id: number): void {
    const call = this.calls.get(id) as Call;
    const running = this.running ?? this.start();
    // The calls made in one tick (a claim's deliveries) leave in one write.
    if (running.channel.writableCorked === 0) {
      running.channel.cork();
      process.nextTick(() => running.channel.uncork());
    }
    running.channel.write(encodeFrame({ ...call.request, id }, call.payload));
  }

  private start(): Running {
    const child = spawn(process.execPath, [...nodeArgs(), hostScript(), JSON.stringify(this.settings())], {
      stdio: ["ignore", "inherit", "inherit", "pipe", "pipe"],
    });
    this.starts++;
    const channel = child.stdio[CHANNEL_FD] as Socket;
    const report = child.stdio[REPORT_FD] as Socket;
    const running: Running = { child, channel, report: "" };
    const reader = new FrameReader<HostReply>();
    channel.on("data", (chunk: Buffer) => {
      for (const { header, payload } of reader.push(chunk)) {
        const call = this.calls.get(header.id);
        if (!call) continue;
        this.calls.delete(header.id);
        call.resolve({ reply: header, payload });
      }
    });
    channel.on("error", () => {}); // the process's death is handled on close
    report.setEncoding("utf8");
    report.on("data", (text: string) => {
      running.report += text;
    });
    child.once("error", () => {}); // a process that cannot start closes too
    // After exit, and after its pipes have closed: the watchdog's report has been read.
    child.once("close", (code, signal) => this.died(running, code, signal));
    this.running = running;
    // Every route compiled so far goes to the new process first, in its order.
    for (const [tenant, routes] of this.code) {
      for (const [route, { code, filename }] of routes) {
        const id = this.nextId++;
        this.calls.set(id, {
          request: { op: "compile", tenant, route, filename },
          payload: code,
          resolve: () => {},
          internal: true,
        });
        channel.write(encodeFrame({ op: "compile", tenant, route, filename, id }, code));
      }
    }
    return running;
  }

  private died(running: Running, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.running !== running) return; // closed on purpose
    this.running = null;
    const [reason, id] = (running.report.trim().split("\n")[0] ?? "").split(" ") as [
      KillReason | "",
      string?,
    ];
    const message =
      reason === "memory"
        ? `exceeded the memory limit of ${this.limits.memoryLimitMb} MB`
        : reason === "cpu"
          ? `exceeded the CPU limit of ${this.limits.timeoutMs} ms`
          : `the sandbox process ended (${signal ?? `exit code ${code}`})`;
    this.onDeath({ reason: reason === "" ? "crash" : reason, message });
    // The watchdog names the request it stopped. A crash names none: the process answers in
    // order, so the oldest request unanswered is the likeliest.
    const culprit = id === undefined ? this.calls.keys().next().value : Number(id);
    const call = culprit === undefined ? undefined : this.calls.get(culprit);
    if (culprit !== undefined && call) {
      this.calls.delete(culprit);
      call.resolve({ reply: { id: culprit, kind: "error", message, line: null }, payload: EMPTY });
    }
    // Every other call is not at fault (its answer may have been lost with the process): they go
    // to the next process, whose start compiles every route again first. Each death takes one
    // call out, so this ends.
    const behind = [...this.calls];
    this.calls.clear();
    for (const [id, call] of behind) {
      if (call.internal) continue;
      this.calls.set(id, call);
      this.send(id);
    }
  }

  private failAll(message: string): void {
    for (const [id, call] of this.calls) {
      call.resolve({ reply: { id, kind: "error", message, line: null }, payload: EMPTY });
    }
    this.calls.clear();
  }

  private settings(): HostSettings {
    return {
      limits: this.limits,
      // At the limit isolated-vm stops JavaScript itself (on the wall clock, which runs at least
      // as fast as CPU time); the hard limit is for what it cannot stop, a built-in in C++.
      hardCpuMs: this.limits.timeoutMs + Math.max(50, this.limits.timeoutMs),
      hardCompileCpuMs: 2_000 + this.limits.timeoutMs * 2,
      // isolated-vm's own limit on the isolate's heap stops what grows step by step; this one is for
      // what it lets through in one step (a string of a gigabyte): twice the heap limit, since a
      // heap at its limit takes more resident memory than that (young generation, code, pages).
      hardMemoryBytes: 2 * this.limits.memoryLimitMb * 1024 * 1024,
    };
  }
}

const EMPTY = Buffer.alloc(0);

/** The sandbox process's script: the build's, or the TypeScript source under tests (through tsx). */
function hostScript(): string {
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  return fileURLToPath(new URL(`./host-process.${ext}`, import.meta.url));
}

/** isolated-vm needs --no-node-snapshot on Node 20+; TypeScript sources need tsx's loader. */
function nodeArgs(): string[] {
  const args = ["--no-node-snapshot"];
  if (import.meta.url.endsWith(".ts")) {
    args.push("--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href);
  }
  return args;
}
