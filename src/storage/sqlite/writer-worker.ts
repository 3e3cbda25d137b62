// The single SQLite writer, on its own thread so commits (and their fsync) never block the
// event loop that answers HTTP requests.
import { parentPort, workerData } from "node:worker_threads";
import { migrate, openWriter } from "./connection.js";
import { createWriteOps, type WriteOp } from "./write-ops.js";

interface Request {
  seq: number;
  op: WriteOp;
  args: unknown[];
}

const port = parentPort;
if (!port) throw new Error("writer-worker must run as a worker thread");

const db = openWriter((workerData as { path: string }).path);
const applied = migrate(db);
const ops = createWriteOps(db);
port.postMessage({ ready: true, applied });

port.on("message", (message: Request | "close") => {
  if (message === "close") {
    db.close();
    port.close();
    return;
  }
  try {
    const fn = ops[message.op] as (...args: unknown[]) => unknown;
    port.postMessage({ seq: message.seq, ok: true, value: fn(...message.args) });
  } catch (error) {
    const err = error as { message?: string; code?: string };
    port.postMessage({ seq: message.seq, ok: false, message: err.message ?? String(error), code: err.code });
  }
});
