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

/** Whether Node was started with the boolean V8 flag `--name` or `--no-name`. */
function startedWithEither(name: string, execArgv?: readonly string[], nodeOptions?: string): boolean {
  return (
    startedWith(`--${name}`, execArgv, nodeOptions) || startedWith(`--no-${name}`, execArgv, nodeOptions)
  );
}

/** How much V8's old generation may grow past what survived the last full collection, in percent. */
export const HEAP_GROWING_PERCENT = 50;

/**
 * The V8 settings a server runs with, each set at run time unless the process was started with
 * its own value for it (on the command line: Node refuses these in NODE_OPTIONS). V8 reads both
 * at each collection, so they apply from the next one on, to every thread.
 *
 * - `--heap-growing-percent=50`: keeps the heap near its live size. Under load, objects that
 *   outlive a request (a body waiting for its commit, a delivery in flight) are promoted to the
 *   old generation and die there; by default V8 lets that generation grow to several times its
 *   live size before a full collection, which is most of the server's resident memory under load.
 *   Capped at 50 %, it costs a few percent of throughput (`npm run bench:delivery`, BENCHMARKS.md).
 * - `--no-allocation-site-pretenuring`: V8 allocates straight into the old generation the objects
 *   of a site whose objects it once found mostly alive at a young collection. A request's objects
 *   are all alive while its commit is awaited, so under load some site of the ingest path gets
 *   pretenured; its objects then die in the old generation, which fills, and full collections run
 *   about every second, each young one promoting megabytes, for as long as the process lives:
 *   15–20 % of ingest's throughput and twice its p99 (BENCHMARKS.md). Off, they die young.
 *
 * Returns the settings applied.
 */
export function tuneGarbageCollector(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? "",
): string[] {
  const applied: string[] = [];
  if (!startedWith("--heap-growing-percent", execArgv, nodeOptions)) {
    applied.push(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  }
  if (!startedWithEither("allocation-site-pretenuring", execArgv, nodeOptions)) {
    applied.push("--no-allocation-site-pretenuring");
  }
  for (const flag of applied) v8.setFlagsFromString(flag);
  return applied;
}
