import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { StoreUnavailableError } from "../port.js";
import type { WriteOp, WriteOps } from "./write-ops.js";

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

type Reply =
  | { seq: number; ok: true; value: unknown }
  | { seq: number; ok: false; message: string; code?: string };

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

/** The main thread's handle on the writer thread: calls a write op and resolves once it committed. */
export class SqliteWriter {
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (reply: Reply) => {
      const p = this.pending.get(reply.seq);
      if (!p) return;
      this.pending.delete(reply.seq);
      if (reply.ok) p.resolve(reply.value);
      else
        p.reject(new StoreUnavailableError(`SQLite write failed: ${reply.message}`, { cause: reply.code }));
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const p of this.pending.values())
        p.reject(new StoreUnavailableError("SQLite writer stopped", { cause: error }));
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`writer thread exited with code ${code}`)));
  }

  /** Starts the writer thread on `path`, applying migrations; resolves with the versions applied. */
  static start(path: string): Promise<{ writer: SqliteWriter; applied: number[] }> {
    const worker = spawnWorker(path);
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      worker.once("error", onError);
      worker.once("message", (message: { ready: boolean; applied: number[] }) => {
        worker.off("error", onError);
        resolve({ writer: new SqliteWriter(worker), applied: message.applied });
      });
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
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ seq, op, args }, transfer);
    });
  }

  /** Whether the writer thread is alive. */
  get healthy(): boolean {
    return this.failure === null;
  }

  /** Closes the database on the writer thread and waits for the thread to end. */
  async close(): Promise<void> {
    if (this.failure) return;
    const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.worker.postMessage("close");
    await exited;
  }
}
