// Where a CPU profile's time went, as text: `node bench/profile-top.js FILE.cpuprofile [--top 30]`.
// Prints the functions with the most self time (the time spent in the function's own code, not
// in what it called), then the same summed by file, so that a profile from `npm run
// profile:ingest` can be read without a browser. Open the file in Chrome's DevTools or speedscope
// for the flame graph. The samples are wall-clock: where the server is pinned to one core, the
// time a thread waits for that core (while the writer thread runs) is charged to whatever the
// thread was doing, mostly `postMessage`. For CPU time by thread, see BENCHMARKS.md (`perf`).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { frameLabel, shortUrl } from "./call-frames.js";

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "30" } },
});
if (positionals.length !== 1) {
  console.error("usage: node bench/profile-top.js FILE.cpuprofile [--top N]");
  process.exit(2);
}
const top = Number(flags.top);
const profile = JSON.parse(readFileSync(positionals[0], "utf8"));

// Each sample names the node on top of the stack; a node's self time is its samples' time.
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i + 1] ?? 0;
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + delta);
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function tally(keyOf) {
  const sums = new Map();
  for (const [id, us] of selfUs) {
    const key = keyOf(nodes.get(id).callFrame);
    sums.set(key, (sums.get(key) ?? 0) + us);
  }
  return [...sums].sort((a, b) => b[1] - a[1]).slice(0, top);
}

function print(title, rows) {
  console.log(`\n${title}`);
  for (const [key, us] of rows) {
    console.log(
      `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`,
    );
  }
}

console.log(`${positionals[0]}: ${(total / 1e6).toFixed(2)} s of samples`);
print("self time by function", tally(frameLabel));
print(
  "self time by file",
  tally((f) => shortUrl(f.url)),
);
