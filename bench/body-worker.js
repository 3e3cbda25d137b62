// Makes signed bodies ahead of the load generator, on its own thread so a chunk being signed
// never stalls the event loop that times the requests.
import { parentPort, workerData } from "node:worker_threads";
import { createBodyFactory } from "./event-bodies.js";

const port = parentPort;
if (!port) throw new Error("body-worker must run as a worker thread");

const factory = createBodyFactory(workerData);

port.on("message", (/** @type {number} */ count) => {
  const start = performance.now();
  const chunk = factory.chunk(count);
  port.postMessage({ ...chunk, micros: (performance.now() - start) * 1000 }, [chunk.bytes]);
});
