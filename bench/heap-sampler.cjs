// Preloaded into a server by `bench/ingest.js --allocations DIR` (`node -r`): V8's sampling heap
// profiler over the measured window, objects already collected included, so the profile shows
// every allocation of the window and not only what was still alive at its end. The first SIGUSR2
// starts it; the second stops it, writes the profile to HEAP_SAMPLE_FILE (a .heapprofile that
// Chrome's DevTools opens) and prints {"heapProfile": file} on stdout.
const { Session } = require("node:inspector");
const { writeFileSync } = require("node:fs");

/** One sample per this many bytes allocated, on average. */
const SAMPLING_INTERVAL = 4096;

const file = process.env.HEAP_SAMPLE_FILE;
if (!file) throw new Error("heap-sampler: HEAP_SAMPLE_FILE is not set");
const session = new Session();
session.connect();
let sampling = false;

/** @param {Error | null} error */
function fail(error) {
  if (error) process.stderr.write(`heap-sampler: ${error.message}\n`);
}

process.on("SIGUSR2", () => {
  if (!sampling) {
    sampling = true;
    session.post("HeapProfiler.enable", (error) => {
      fail(error);
      session.post(
        "HeapProfiler.startSampling",
        {
          samplingInterval: SAMPLING_INTERVAL,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        },
        fail,
      );
    });
    return;
  }
  session.post("HeapProfiler.stopSampling", (error, result) => {
    fail(error);
    if (!result) return;
    writeFileSync(file, JSON.stringify(result.profile));
    process.stdout.write(`${JSON.stringify({ heapProfile: file })}\n`);
  });
});
