// The single SQLite writer, on its own thread so commits (and their fsync) never block the
// event loop that answers HTTP requests.
import { parentPort, workerData } from "node:worker_threads";
import { migrate, openWriter } from "./connection.js";
import { createWriteGroups, type WriteRequest } from "./write-ops.js";

if (!parentPort) throw new Error("writer-worker must run as a worker thread");
const port = parentPort;

const db = openWriter((workerData as { path: string }).path);
const applied = migrate(db);
const groups = createWriteGroups(db);
port.postMessage({ ready: true, applied });

// Requests that arrive while a group runs wait here; the next group takes all of them at once.
let waiting: WriteRequest[] = [];
let scheduled = false;

function runWaiting(): void {
  scheduled = false;
  const requests = waiting;
  waiting = [];
  if (requests.length === 0) return;
  for (const [i, result] of groups.run(requests).entries()) {
    const seq = (requests[i] as WriteRequest).seq;
    if (result.ok) port.postMessage({ seq, ok: true, value: result.value });
    else {
      const { message, code } = result.error as Error & { code?: string };
      port.postMessage({ seq, ok: false, message, code });
    }
  }
}

port.on("message", (message: WriteRequest | "close") => {
  if (message === "close") {
    runWaiting();
    db.close();
    port.close();
    return;
  }
  waiting.push(message);
  // Every message already queued on the port is delivered before immediates run.
  if (!scheduled) {
    scheduled = true;
    setImmediate(runWaiting);
  }
});
