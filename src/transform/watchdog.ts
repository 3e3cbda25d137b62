import { Worker } from "node:worker_threads";
import { REPORT_FD } from "./protocol.js";

// Slots of the shared state between the sandbox process's main thread and its watchdog.
const SEQ = 0; // incremented as each call starts
const BUSY = 1; // 1 while the main thread runs calls
const CPU_LIMIT = 2; // the CPU time, in ms, the call now running may take
const CALL_ID = 3; // the id of the request now running, named in the report

/** How often the watchdog looks at a running call, in ms. */
const POLL_MS = 2;

// The watchdog runs as JavaScript source on its own thread, where nothing the sandbox does can
// block it: isolated-vm's own limits cannot stop a built-in that runs in C++ (flattening a string
// of a gigabyte, say) and lets an isolate's heap pass its limit by up to a gigabyte to avoid a
// crash. Each call's CPU time and the growth of the resident memory are measured from when the
// watchdog first sees it running; past either hard limit the watchdog writes why and the request's
// id on the report descriptor and kills the process, and Switchyard fails that one call and starts
// a new process.
const SOURCE = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const { state, hardMemoryBytes, reportFd, poll } = workerData;
const cells = new Int32Array(state);
const die = (reason) => {
  try { writeSync(reportFd, reason + " " + Atomics.load(cells, ${CALL_ID}) + "\\n"); } catch {}
  process.kill(process.pid, "SIGKILL");
};
let seen = -1, cpu0 = null, rss0 = 0, cpuLimit = 0;
for (;;) {
  if (Atomics.load(cells, ${BUSY}) === 0) {
    seen = -1;
    Atomics.wait(cells, ${BUSY}, 0);
    continue;
  }
  const seq = Atomics.load(cells, ${SEQ});
  if (seq !== seen) {
    seen = seq;
    cpuLimit = Atomics.load(cells, ${CPU_LIMIT});
    cpu0 = process.cpuUsage();
    rss0 = process.memoryUsage.rss();
  } else {
    if (process.memoryUsage.rss() - rss0 > hardMemoryBytes) die("memory");
    const used = process.cpuUsage(cpu0);
    if ((used.user + used.system) / 1000 > cpuLimit) die("cpu");
  }
  Atomics.wait(cells, ${SEQ}, seq, poll);
}
`;

/** The main thread's side of the watchdog: marks calls as they start, and when it is busy. */
export class Watchdog {
  private readonly cells: Int32Array;
  private readonly worker: Worker;

  constructor(hardMemoryBytes: number) {
    const state = new SharedArrayBuffer(16);
    this.cells = new Int32Array(state);
    this.worker = new Worker(SOURCE, {
      eval: true,
      workerData: { state, hardMemoryBytes, reportFd: REPORT_FD, poll: POLL_MS },
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 },
    });
    this.worker.unref();
  }

  /** The main thread starts running calls. */
  busy(): void {
    Atomics.store(this.cells, BUSY, 1);
    Atomics.notify(this.cells, BUSY);
  }

  /** The request `id` starts, which may take `cpuMs` of CPU time: its limits count from now. */
  call(id: number, cpuMs: number): void {
    Atomics.store(this.cells, CPU_LIMIT, cpuMs);
    Atomics.store(this.cells, CALL_ID, id);
    Atomics.add(this.cells, SEQ, 1);
  }

  /** The main thread has no call running. */
  idle(): void {
    Atomics.store(this.cells, BUSY, 0);
  }
}
