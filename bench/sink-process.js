// The sink of the delivery benchmarks as a process of its own (on its own CPU when given),
// driven over IPC: it counts what it receives and can run a latency probe.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** @typedef {Awaited<ReturnType<typeof startSink>>} SinkProcess */

/** The sink process, driven over IPC. */
export async function startSink(/** @type {number | undefined} */ cpu) {
  const script = join(dirname(fileURLToPath(import.meta.url)), "delivery-sink.js");
  const args =
    cpu === undefined ? [process.execPath, script] : ["taskset", "-c", String(cpu), process.execPath, script];
  const child = spawn(/** @type {string} */ (args[0]), args.slice(1), {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ask = (/** @type {object} */ msg, /** @type {string} */ key) =>
    new Promise((resolve) => {
      const on = (/** @type {Record<string, unknown>} */ m) => {
        if (key in m) {
          child.off("message", on);
          resolve(m[key]);
        }
      };
      child.on("message", on);
      child.send(msg);
    });
  const [first] = /** @type {[{ listening: string }]} */ (await once(child, "message"));
  return {
    child,
    url: first.listening,
    count: () => /** @type {Promise<number>} */ (ask({ cmd: "count" }, "received")),
    ask,
  };
}
