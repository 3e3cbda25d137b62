// The human-readable report of `npm run bench:ingest`.

/**
 * What bench/load.js measured against one target (see its `result` line).
 * @typedef {object} LoadResult
 * @property {number} seconds length of the measured window
 * @property {number} connections
 * @property {number} bodyBytes
 * @property {number} ok 200 answers completed in the window
 * @property {number} rps `ok` per second
 * @property {{ p50: number, p90: number, p99: number, max: number } | null} latencyMs of the 200s
 * @property {number} non2xx answers other than 200 in the window
 * @property {Record<string, number>} statuses those answers by status
 * @property {number} errors requests that failed without an answer in the window
 * @property {{ sent: number, ok: number, non2xx: number, errors: number }} total whole run, warm-up included
 * @property {Record<string, number>} errorKinds
 * @property {{ busy: number }} cpu the load generator's CPU use (1 = one core)
 * @property {{ microsEach: number, starved: number }} bodies signing cost and waits for bodies
 * @property {number | null} serverBusy the server's CPU use over the window (cores), every thread
 * @property {number | null} restOfMachine CPU used meanwhile by everything else: other processes, interrupts
 * @property {number | null} steal CPU time the hypervisor took from this machine meanwhile
 */

/** Above this much CPU used by others (cores, steal included) a window is called disturbed. */
const NOISY = 0.1;

/** @param {number} n */
const int = (n) => Math.round(n).toLocaleString("en-US");
/** @param {number | null} n */
const pct = (n) => (n === null ? "n/a" : `${Math.round(n * 100)}%`);

/**
 * @param {string} name
 * @param {LoadResult} r
 */
function row(name, r) {
  const ms = (/** @type {number | undefined} */ v) => (v === undefined ? "-" : v.toFixed(2));
  return [
    name.padEnd(12),
    int(r.rps).padStart(9),
    ms(r.latencyMs?.p50).padStart(8),
    ms(r.latencyMs?.p99).padStart(8),
    String(r.non2xx).padStart(8),
    String(r.errors).padStart(7),
    pct(r.serverBusy).padStart(11),
    (r.serverBusy === null || r.rps === 0 ? "n/a" : int((r.serverBusy / r.rps) * 1e6)).padStart(10),
    pct(r.cpu.busy).padStart(9),
    pct(r.restOfMachine).padStart(8),
  ].join("  ");
}

/**
 * @param {{
 *   machine: { node: string, cpus: number, cpuModel: string, pinned: false | { servers: number, loadGenerator: number } },
 *   load: { connections: number, warmupSeconds: number, seconds: number, bodyBytes: number, profiled: boolean },
 *   verifyOnly: LoadResult,
 *   switchyard: LoadResult & { durability: { stored: number, answered200: number, exit: { code: number | null, signal: string | null } } },
 *   ratio: number,
 *   goal: number,
 * }} s
 */
export function formatReport(s) {
  const { machine: m, load, switchyard: sy, verifyOnly: vo } = s;
  const d = sy.durability;
  const lines = [
    "",
    "Switchyard ingest benchmark",
    `  machine   Node ${m.node}, ${m.cpus} CPUs (${m.cpuModel.trim()})`,
    `  pinning   ${m.pinned ? `servers on CPU ${m.pinned.servers}, load generator on CPU ${m.pinned.loadGenerator} (taskset)` : "none"}`,
    `  load      ${load.connections} keep-alive connections, distinct signed ${load.bodyBytes}-byte deployment.created events,`,
    `            ${load.warmupSeconds} s warm-up then ${load.seconds} s measured, per target`,
    "",
    `${"target".padEnd(12)}  ${"req/s".padStart(9)}  ${"p50 ms".padStart(8)}  ${"p99 ms".padStart(8)}  ${"non-2xx".padStart(8)}  ${"errors".padStart(7)}  ${"server CPU".padStart(11)}  ${"µs CPU/req".padStart(10)}  ${"load CPU".padStart(9)}  ${"others".padStart(8)}`,
    row("verify-only", vo),
    row("switchyard", sy),
    "",
    `ratio switchyard / verify-only: ${s.ratio.toFixed(2)}× (goal ≥ ${s.goal.toFixed(2)}×: ${s.ratio >= s.goal ? "met" : "NOT met"})`,
    `durability: ${int(d.stored)} events in the SQLite file after SIGTERM (exit ${d.exit.code ?? d.exit.signal}), ` +
      `${int(d.answered200)} answered 200: ${d.stored >= d.answered200 ? "ok" : "MISSING EVENTS"}`,
  ];
  for (const [name, r] of /** @type {const} */ ([
    ["verify-only", vo],
    ["switchyard", sy],
  ])) {
    if (r.non2xx > 0) lines.push(`${name} non-2xx by status: ${JSON.stringify(r.statuses)}`);
    if (r.total.errors > 0) lines.push(`${name} errors: ${JSON.stringify(r.errorKinds)}`);
    if (r.bodies.starved > 0)
      lines.push(`${name}: the load generator waited for bodies ${r.bodies.starved} times`);
  }
  const noisy = [vo, sy].some((r) => (r.restOfMachine ?? 0) + (r.steal ?? 0) > NOISY);
  if (noisy) {
    lines.push(
      `Other work used more than ${pct(NOISY)} of a CPU during a window ("others", steal): the figures are disturbed; run again on a quiet machine.`,
    );
  }
  if (load.profiled) lines.push("Switchyard ran under --cpu-prof: its figures are not representative.");
  return `${lines.join("\n")}\n`;
}
