import v8 from "node:v8";

/**
 * Whether Node was started with the V8 or Node flag `flag` (alone or as `flag=value`, dashes or
 * underscores), on its command line or in NODE_OPTIONS.
 */
export function startedWith(
  flag: string,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? "",
): boolean {
  const wanted = flag.replaceAll("_", "-");
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((arg) => {
    const name = (arg.split("=", 1)[0] ?? "").replaceAll("_", "-");
    return name === wanted;
  });
}

/** How much V8's old generation may grow past what survived the last full collection, in percent. */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Keeps the server's heap near its live size. Under load, objects that outlive a request (a
 * body waiting for its commit, a delivery in flight) are promoted to the old generation and die
 * there; by default V8 lets that generation grow to several times its live size before a full
 * collection, which is most of the server's resident memory under load. Growth capped at 50 %
 * costs a few percent of throughput (`npm run bench:delivery`, BENCHMARKS.md). V8 reads the
 * setting at every full collection, so it applies from the next one on, to every thread.
 * A `--heap-growing-percent` given on the command line is left as it is (Node refuses it in
 * NODE_OPTIONS).
 * Returns whether the setting was applied.
 */
export function limitHeapGrowth(): boolean {
  if (startedWith("--heap-growing-percent")) return false;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
