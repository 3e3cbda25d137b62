import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { StoreUnavailableError } from "../port.js";
import { isCannotCommitCode, isUnavailableCode } from "./errors.js";
import type { GroupReply, WriteOp, WriteOps, WriteReply, WriteRequest } from "./write-ops.js";

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The writer thread's young generation, in MB. Its garbage is short-lived (the events of one batch
 * at a time), and V8's default lets it grow to tens of MB of resident memory beside the main thread's.
 */
const WRITER_YOUNG_GENERATION_MB = 8;

/** Starts the writer thread from the build, or from TypeScript sources (tests) through tsx's loader. */
function spawnWorker(path: string): Worker {
  const resourceLimits = { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB };
  if (!import.meta.url.endsWith(".ts")) {
    return new Worker(new URL("./writer-worker.js", import.meta.url), {
      workerData: { path },
      resourceLimits,
    });
  }
  // The ESM entry of tsx's API; createRequire resolves the CommonJS one beside it.
  const tsx = createRequire(import.meta.url)
    .resolve("tsx/esm/api")
    .replace(/\.cjs$/, ".mjs");
  const script = new URL("./writer-worker.ts", import.meta.url).href;
  const boot = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((m) => { m.register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(boot, { eval: true, workerData: { path }, resourceLimits });
}

/**
 * The main thread's handle on the writer thread: calls a write op and resolves once it committed.
 * One group is with the writer at a time; ops called meanwhile wait here and go as the next group,
 * in one message, so that whatever the worker and ingest write in one stretch shares one commit
 * (and one wake-up of the writer) instead of taking turns.
 */
export class SqliteWriter {
  /** The ops of the group the writer is running, in order. */
  private inFlight: Pending[] = [];
  /** From sending a group until the next may go: its replies are in and the callers they woke have run. */
  private busy = false;
  private queued: { request: WriteRequest; pending: Pending; transfer: ArrayBuffer[] }[] = [];
  private failure: Error | null = null;
  private closing: (() => void) | null = null;
  private lastCommitFailure: string | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on("message", ({ replies, wrote }: GroupReply) => {
      const group = this.inFlight;
      this.inFlight = [];
      // Set by a write that failed for lack of space or I/O; cleared by a commit that wrote.
      const cannot = replies.find((r) => !r.ok && isCannotCommitCode(r.code));
      if (cannot && !cannot.ok) this.lastCommitFailure = `${cannot.code}: ${cannot.message}`;
      else if (wrote) this.lastCommitFailure = null;
      for (const [i, p] of group.entries()) {
        const reply = replies[i] as WriteReply;
        if (reply.ok) p.resolve(reply.value);
        else p.reject(writeError(reply));
      }
      // The next group waits for what these replies set off (the next ingest batch, the next
      // outcomes, the I/O of this turn of the loop), so that they go together rather than by turns.
      setImmediate(() => this.send());
    });
    const fail = (error: Error) => {
      this.failure = error;
      const pending = [...this.inFlight, ...this.queued.map((q) => q.pending)];
      this.inFlight = [];
      this.queued = [];
      for (const p of pending) p.reject(new StoreUnavailableError("SQLite writer stopped", { cause: error }));
      this.closing?.();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`writer thread exited with code ${code}`)));
  }

  /**
   * Starts the writer thread on `path`, applying migrations; resolves with the versions applied,
   * or rejects with an error naming the file.
   */
  static start(path: string): Promise<{ writer: SqliteWriter; applied: number[] }> {
    const worker = spawnWorker(path);
    return new Promise((resolve, reject) => {
      const failed = (reason: string, cause?: unknown) =>
        reject(new Error(`cannot open the SQLite database ${path}: ${reason}`, { cause }));
      // What a worker throws arrives as a plain object when it is not a built-in error.
      const onError = (error: unknown) =>
        failed((error as Error | undefined)?.message ?? String(error), error);
      worker.once("error", onError);
      worker.once(
        "message",
        (message: { ready: true; applied: number[] } | { ready: false; message: string; code?: string }) => {
          worker.off("error", onError);
          if (message.ready) resolve({ writer: new SqliteWriter(worker), applied: message.applied });
          else failed(message.message, message.code);
        },
      );
    });
  }

  /** Runs one write op on the writer thread. */
  call<K extends WriteOp>(op: K, ...args: Parameters<WriteOps[K]>): Promise<ReturnType<WriteOps[K]>> {
    return this.callTransferring(op, [], ...args);
  }

  /** Runs one write op, moving (not copying) the given buffers to the writer thread. */
  callTransferring<K extends WriteOp>(
    op: K,
    transfer: ArrayBuffer[],
    ...args: Parameters<WriteOps[K]>
  ): Promise<ReturnType<WriteOps[K]>> {
    if (this.failure)
      return Promise.reject(new StoreUnavailableError("SQLite writer stopped", { cause: this.failure }));
    return new Promise((resolve, reject) => {
      const pending = { resolve: resolve as (v: unknown) => void, reject };
      this.queued.push({ request: { op, args }, pending, transfer });
      if (!this.busy) this.send();
    });
  }

  /** Sends every queued op to the writer as one group, or (none left) lets a waiting close go on. */
  private send(): void {
    if (this.failure) return;
    if (this.queued.length === 0) {
      this.busy = false;
      this.closing?.();
      return;
    }
    this.busy = true;
    const group = this.queued;
    this.queued = [];
    this.inFlight = group.map((q) => q.pending);
    this.worker.postMessage(
      group.map((q) => q.request),
      group.flatMap((q) => q.transfer),
    );
  }

  /**
   * Why the last group that tried to write could not commit (lack of space, an I/O error), as
   * `CODE: message`; null once a later group committed a change.
   */
  get commitFailure(): string | null {
    return this.lastCommitFailure;
  }

  /** Whether the writer thread is alive. */
  get healthy(): boolean {
    return this.failure === null;
  }

  /** Waits for the ops already called, closes the database on the writer thread and waits for the thread to end. */
  async close(): Promise<void> {
    if (this.failure) return;
    if (this.busy)
      await new Promise<void>((resolve) => {
        this.closing = resolve;
      });
    this.closing = null;
    if (this.failure) return;
    const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.worker.postMessage("close");
    await exited;
  }
}

/**
 * The error a failed op rejects with: `StoreUnavailableError` when the database could not commit
 * (ingest answers 503, the sender retries), else an error of the op itself, its SQLite code kept.
 */
function writeError(reply: Extract<WriteReply, { ok: false }>): Error {
  if (isUnavailableCode(reply.code)) {
    return new StoreUnavailableError(`SQLite write failed: ${reply.message}`, {
      cause: reply.code,
      reason: `a write failed: ${reply.code}`,
    });
  }
  return Object.assign(new Error(`SQLite write failed: ${reply.message}`), { code: reply.code });
}
