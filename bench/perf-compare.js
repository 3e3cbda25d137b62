// Where two threads' CPU differs, symbol by symbol, per item of work, from one `perf record`:
//
//   node bench/perf-compare.js perf.data --a TID --a-items N --b TID --b-items N
//     [--a-from SECONDS --a-to SECONDS] [--b-from … --b-to …] [--a-name floor --b-name switchyard] [--top 40]
//
// Record the whole run on the servers' core with their JavaScript named, e.g.
//   NODE_OPTIONS=--perf-basic-prof node bench/delivery.js --drain-only --drain-sizes 200000 --rounds 1 &
//   perf record -C 0 -F 1999 -o perf.data -- sleep 75
// then pick each thread's id from `perf report -i perf.data --sort pid` (its "pid" is the thread's
// id; a process's main thread has the process's id, and /tmp/perf-PID.map names the processes that
// ran JavaScript). `--a-from`/`--a-to` keep a thread's samples inside a window of perf's own
// timestamps (`perf script -F tid,time`), e.g. the drain after an ingest in the same process.
// Prints each thread's CPU in µs per item (items: requests, deliveries, whatever both did), then
// the symbols whose µs per item differ most (JavaScript functions by name, without their file).
// CPU per symbol is the sum of the samples' periods, so any `-F` works.
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    a: { type: "string" },
    b: { type: "string" },
    "a-items": { type: "string" },
    "b-items": { type: "string" },
    "a-from": { type: "string" },
    "a-to": { type: "string" },
    "b-from": { type: "string" },
    "b-to": { type: "string" },
    "a-name": { type: "string", default: "a" },
    "b-name": { type: "string", default: "b" },
    top: { type: "string", default: "40" },
  },
});
if (
  positionals.length !== 1 ||
  !flags.a ||
  !flags.b ||
  !(Number(flags["a-items"]) > 0) ||
  !(Number(flags["b-items"]) > 0)
) {
  console.error(
    "usage: node bench/perf-compare.js perf.data --a TID --a-items N --b TID --b-items N [--a-from S --a-to S] [--b-from S --b-to S] [--top N]",
  );
  process.exit(2);
}

/** @typedef {{ tid: string, from: number, to: number, items: number, ns: Map<string, number>, total: number }} Side */
/** @param {"a" | "b"} key @returns {Side} */
const side = (key) => ({
  tid: /** @type {string} */ (flags[key]),
  from: flags[`${key}-from`] === undefined ? Number.NEGATIVE_INFINITY : Number(flags[`${key}-from`]),
  to: flags[`${key}-to`] === undefined ? Number.POSITIVE_INFINITY : Number(flags[`${key}-to`]),
  items: Number(flags[`${key}-items`]),
  ns: new Map(),
  total: 0,
});
const sides = [side("a"), side("b")];

const text = execFileSync("perf", ["script", "-i", positionals[0], "-F", "tid,time,period,ip,sym,dso"], {
  encoding: "utf8",
  maxBuffer: 1 << 30,
  stdio: ["ignore", "pipe", "ignore"],
});
// "  16732  2719.773321:     500250  ffffffff815fc8ed unmap_page_range ([kernel.kallsyms])"
const LINE = /^\s*(\d+)\s+([\d.]+):\s+(\d+)\s+[0-9a-f]+\s+(.*?)\s+\(([^)]*)\)\s*$/;
for (const line of text.split("\n")) {
  const m = LINE.exec(line);
  if (!m) continue;
  const [, tid, time, period, sym, dso] = /** @type {string[]} */ (m);
  const t = Number(time);
  for (const s of sides) {
    if (tid !== s.tid || t < s.from || t > s.to) continue;
    // JavaScript from --perf-basic-prof ("JS:*name file:line:col", * optimized, ~ not): the
    // function's name, not its file (two programs differ there); regular expressions as they are.
    const name = dso.includes("perf-") ? jsName(sym) : sym || `[${dso}]`;
    s.ns.set(name, (s.ns.get(name) ?? 0) + Number(period));
    s.total += Number(period);
  }
}

/** A --perf-basic-prof symbol's function name, its tier dropped. @param {string} sym */
function jsName(sym) {
  const m = /^JS:[*~^+]?(\S*)/.exec(sym);
  // Code the map no longer names (the process's /tmp/perf-PID.map was removed or overwritten).
  if (!m) return sym === "[unknown]" ? "JS (not in its perf map)" : sym;
  return `JS ${m[1] === "" || /^(file:|node:|\/)/.test(m[1]) ? "(anonymous)" : m[1]}`;
}

const [a, b] = /** @type {[Side, Side]} */ (sides);
/** µs of a side's CPU per item. @param {Side} s @param {number} ns */
const perItem = (s, ns) => ns / 1000 / s.items;
const names = [flags["a-name"], flags["b-name"]];
console.log(
  `µs of CPU per item: ${names[0]} ${perItem(a, a.total).toFixed(1)} (thread ${a.tid}), ${names[1]} ${perItem(b, b.total).toFixed(1)} (thread ${b.tid})`,
);
const symbols = [...new Set([...a.ns.keys(), ...b.ns.keys()])].map((name) => {
  const x = perItem(a, a.ns.get(name) ?? 0);
  const y = perItem(b, b.ns.get(name) ?? 0);
  return { name, x, y, diff: y - x };
});
symbols.sort((p, q) => Math.abs(q.diff) - Math.abs(p.diff));
const shown = symbols.slice(0, Number(flags.top));
// How concentrated the difference is: a few symbols, or a little everywhere.
console.log(
  `the ${shown.length} symbols below differ by ${shown.reduce((n, s) => n + s.diff, 0).toFixed(1)} µs of the ${(perItem(b, b.total) - perItem(a, a.total)).toFixed(1)} µs between the threads, over ${symbols.length} symbols in all`,
);
console.log(`\n${names[0].padStart(8)} ${names[1].padStart(8)}  difference  symbol`);
for (const s of shown) {
  console.log(
    `${s.x.toFixed(2).padStart(8)} ${s.y.toFixed(2).padStart(8)}  ${`${s.diff >= 0 ? "+" : ""}${s.diff.toFixed(2)}`.padStart(10)}  ${s.name.slice(0, 110)}`,
  );
}
