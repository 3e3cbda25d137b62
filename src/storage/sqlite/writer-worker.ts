// The single SQLite writer, on its own thread so commits (and their fsync) never block the
// event loop that answers HTTP requests.
import { parentPort, workerData } from "node:worker_threads";
import { migrate, openWriter } from "./connection.js";
import { createWriteGroups, type GroupReply, type WriteReply, type WriteRequest } from "./write-ops.js";

if (!parentPort) throw new Error("writer-worker must run as a worker thread");
const port = parentPort;

const db = openWriter((workerData as { path: string }).path);
const applied = migrate(db);
const groups = createWriteGroups(db);
port.postMessage({ ready: true, applied });

// The main thread sends one group at a time and waits for its replies before it sends the next.
port.on("message", (message: WriteRequest[] | "close") => {
  if (message === "close") {
    db.close();
    port.close();
    return;
  }
  const { results, wrote } = groups.run(message);
  const replies = results.map((result): WriteReply => {
    if (result.ok) return { ok: true, value: result.value };
    const { message, code } = result.error as Error & { code?: string };
    return code === undefined ? { ok: false, message } : { ok: false, message, code };
  });
  port.postMessage({ replies, wrote } satisfies GroupReply);
});
