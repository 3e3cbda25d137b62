// The single SQLite writer, on its own thread so commits (and their fsync) never block the
// event loop that answers HTTP requests.
import { parentPort, workerData } from "node:worker_threads";
import { type Connection, openWriter } from "./connection.js";
import { migrate } from "./migrations.js";
import { isClaimWire } from "./wire.js";
import { createWriteGroups, type GroupReply, type WriteReply, type WriteRequest } from "./write-ops.js";

if (!parentPort) throw new Error("writer-worker must run as a worker thread");
const port = parentPort;

/**
 * Opens and migrates the database and tells the main thread how it went: ready, or the error's
 * message and code (thrown instead, an error would reach the main thread as a plain object).
 */
function start(path: string): { db: Connection; groups: ReturnType<typeof createWriteGroups> } | null {
  let db: Connection | undefined;
  try {
    db = openWriter(path);
    const applied = migrate(db);
    const groups = createWriteGroups(db);
    port.postMessage({ ready: true, applied });
    return { db, groups };
  } catch (error) {
    db?.close();
    const { message, code } = error as Error & { code?: string };
    port.postMessage({ ready: false, message, code });
    port.close();
    return null;
  }
}

const started = start((workerData as { path: string }).path);

// The main thread sends one group at a time and waits for its replies before it sends the next.
if (started) {
  const { db, groups } = started;
  port.on("message", (message: WriteRequest[] | "close") => {
    if (message === "close") {
      db.close();
      port.close();
      return;
    }
    const { results, wrote } = groups.run(message);
    // A claim's bodies (`wire.ts`) are moved to the main thread, not copied.
    const moved: ArrayBuffer[] = [];
    const replies = results.map((result): WriteReply => {
      if (result.ok) {
        if (isClaimWire(result.value)) moved.push(result.value.bodies.buffer as ArrayBuffer);
        return { ok: true, value: result.value };
      }
      const { message, code } = result.error as Error & { code?: string };
      return code === undefined ? { ok: false, message } : { ok: false, message, code };
    });
    port.postMessage({ replies, wrote } satisfies GroupReply, moved);
  });
}
