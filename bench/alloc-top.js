// Where a sampled heap profile's bytes were allocated, as text:
// `node bench/alloc-top.js FILE.heapprofile [--requests N] [--top 25]`. A profile from
// `bench/ingest.js --allocations DIR` counts every allocation of the measured window (collected
// objects included); with --requests (the window's requests, which the bench prints), bytes are
// given per request. A sample is charged to the outermost function of an optimised frame: what V8
// inlined counts to its caller (run the server with --no-turbo-inlining to see each by name).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { frameLabel } from "./call-frames.js";

/**
 * @typedef {{ callFrame: { functionName: string, url: string, lineNumber: number },
 *   selfSize: number, children: ProfileNode[] }} ProfileNode
 */

/**
 * The bytes a profile allocated in all and by function (self), largest first.
 * @param {{ head: ProfileNode }} profile
 */
export function allocationsByFunction(profile) {
  /** @type {Map<string, number>} */
  const byFunction = new Map();
  let total = 0;
  /** @type {ProfileNode[]} */
  const stack = [profile.head];
  while (stack.length > 0) {
    const node = /** @type {ProfileNode} */ (stack.pop());
    const key = frameLabel(node.callFrame);
    if (node.selfSize > 0) byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
    total += node.selfSize;
    stack.push(...node.children);
  }
  return { total, functions: [...byFunction].sort((a, b) => b[1] - a[1]) };
}

/** Reads a .heapprofile file. */
export function readHeapProfile(/** @type {string} */ file) {
  return /** @type {{ head: ProfileNode }} */ (JSON.parse(readFileSync(file, "utf8")));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values: flags, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: "string", default: "25" }, requests: { type: "string" } },
  });
  if (positionals.length !== 1) {
    console.error("usage: node bench/alloc-top.js FILE.heapprofile [--requests N] [--top N]");
    process.exit(2);
  }
  const requests = flags.requests === undefined ? null : Number(flags.requests);
  const { total, functions } = allocationsByFunction(readHeapProfile(positionals[0]));
  const per = (/** @type {number} */ bytes) =>
    requests
      ? `${(bytes / requests).toFixed(0).padStart(6)} B/request`
      : `${(bytes / 1024).toFixed(0).padStart(8)} KiB`;
  console.log(
    `${positionals[0]}: ${(total / 1024 / 1024).toFixed(1)} MiB allocated${requests ? `, ${(total / requests / 1024).toFixed(1)} KiB a request` : ""}`,
  );
  for (const [key, bytes] of functions.slice(0, Number(flags.top))) {
    console.log(`${((100 * bytes) / total).toFixed(1).padStart(5)} %  ${per(bytes)}  ${key}`);
  }
}
