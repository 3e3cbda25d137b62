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
 * @property {{ main: number, busiestOther: number, rest: number } | null} serverThreads the same by
 *   thread (cores): the main thread, the busiest other one (a writer thread) and the rest
 * @property {number | null} restOfMachine CPU used meanwhile by everything else: other processes, interrupts
 * @property {number | null} steal CPU time the hypervisor took from this machine meanwhile
 * @property {{ busy: number, iowait: number, idle: number } | null} serverCore the server's CPU (when
 *   pinned) over the window, as shares: busy, idle while waiting on the disk, idle
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
    name.padEnd(14),
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

/** @param {number | null | undefined} n */
const ms = (n) => (n === null || n === undefined || Number.isNaN(n) ? "n/a" : `${n.toFixed(2)} ms`);
/** @param {number | null} n */
const mb = (n) => (n === null ? "n/a" : `${(n / 1024 / 1024).toFixed(1)} MB`);

/**
 * The server's CPU per request by thread, as `, µs of CPU per request: main M / writer W / rest R`.
 * @param {LoadResult} r
 */
export function threadsLine(r) {
  const u = perRequestByThread(r);
  const core = coreLine(r);
  return (
    (u ? `, µs of CPU per request: main ${u.main} / writer ${u.writer} / rest ${u.rest}` : "") +
    (core ? `; its core ${core}` : "")
  );
}

/**
 * The server's core over the window, as `B % busy, W % waiting on the disk, I % idle`; null when
 * the server was not pinned or /proc/stat could not be read.
 * @param {LoadResult} r
 */
function coreLine(r) {
  const c = r.serverCore;
  return c ? `${pct(c.busy)} busy, ${pct(c.iowait)} waiting on the disk, ${pct(c.idle)} idle` : null;
}

/**
 * The server's µs of CPU per request by thread, formatted; null when not measured.
 * @param {LoadResult} r
 */
function perRequestByThread(r) {
  const t = r.serverThreads;
  if (!t || r.rps === 0) return null;
  const us = (/** @type {number} */ cores) => int((cores / r.rps) * 1e6);
  return { main: us(t.main), writer: us(t.busiestOther), rest: us(t.rest) };
}

/**
 * The main thread's collection pauses by kind: how many, and their time per request.
 * @param {Record<string, { count: number, ms: number }> | null} gc
 * @param {number} requests answered in the same window
 */
export function gcLine(gc, requests) {
  if (gc === null) return "n/a";
  const kinds = Object.entries(gc).filter(([, g]) => g.count > 0);
  if (kinds.length === 0) return "none";
  return kinds
    .map(([kind, g]) => `${int(g.count)} ${kind} (${((g.ms * 1000) / requests).toFixed(1)} µs per request)`)
    .join(", ");
}

/**
 * @typedef {{ rps: number, p50: number, p99: number }} Medians
 * @typedef {{ file: string, bytesPerRequest: number,
 *   top: { where: string, bytesPerRequest: number }[] } | null} Allocations
 *   what the server allocated in the window (--allocations), per request, in all and by function
 * @typedef {LoadResult & { durability: { stored: number, answered200: number }, allocations: Allocations }} FloorResult
 * @typedef {FloorResult & {
 *   durability: { deliveries: number, exit: { code: number | null, signal: string | null } },
 *   memory: { idleRss: number | null, loadedRss: number | null, perInFlight: number | null },
 *   eventLoopDelayMs: { p50: number | null, p99: number | null, max: number | null },
 *   gc: Record<string, { count: number, ms: number }> | null,
 * }} SwitchyardResult
 */

/**
 * Bytes allocated per request in each round's window, the floor beside Switchyard, and where
 * Switchyard's went.
 * @param {{ floor: FloorResult[], switchyard: FloorResult[] }} runs
 */
function allocationLines(runs) {
  const kib = (/** @type {number} */ bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  const lines = ["allocated per request in the window (sampled, collected objects included):"];
  for (let i = 0; i < Math.max(runs.floor.length, runs.switchyard.length); i++) {
    const f = runs.floor[i]?.allocations;
    const y = runs.switchyard[i]?.allocations;
    lines.push(
      `  round ${i + 1}: floor ${f ? kib(f.bytesPerRequest) : "n/a"}, switchyard ${y ? kib(y.bytesPerRequest) : "n/a"}` +
        (f && y ? ` (${(y.bytesPerRequest / f.bytesPerRequest).toFixed(2)}×)` : ""),
    );
  }
  const last = runs.switchyard.at(-1)?.allocations;
  if (last) {
    lines.push(`  switchyard's largest, round ${runs.switchyard.length} (${last.file}):`);
    for (const t of last.top) lines.push(`  ${int(t.bytesPerRequest).padStart(7)} B  ${t.where}`);
  }
  return lines;
}

/** The row label of the floor that also writes each event's delivery (`--delivery-floor`). */
const FLOOR_DELIVERY = "floor+deliv.";

/**
 * @param {{
 *   machine: { node: string, cpus: number, cpuModel: string, pinned: false | { servers: number | string, loadGenerator: number } },
 *   load: { connections: number, warmupSeconds: number, seconds: number, rounds: number, bodyBytes: number, profiled: boolean, sampledAllocations: boolean },
 *   runs: { verifyOnly: LoadResult[], floor: FloorResult[], floorDelivery: FloorResult[], switchyard: SwitchyardResult[] },
 *   median: { verifyOnly: Medians, floor: Medians, floorDelivery: Medians | null, switchyard: Medians },
 *   ratio: { rps: number, p99: number, rpsOfVerifyOnly: number, floorOfVerifyOnly: number, floorDeliveryOfFloor: number | null, rpsOfFloorDelivery: number | null },
 *   goal: { rps: number, p99: number },
 * }} s
 */
export function formatReport(s) {
  const { machine: m, load, runs, median, ratio, goal } = s;
  const lines = [
    "",
    "Switchyard ingest benchmark",
    `  machine   Node ${m.node}, ${m.cpus} CPUs (${m.cpuModel.trim()})`,
    `  pinning   ${m.pinned ? `servers on CPU ${m.pinned.servers}, load generator on CPU ${m.pinned.loadGenerator} (taskset)` : "none"}`,
    `  load      ${load.connections} keep-alive connections, distinct signed ${load.bodyBytes}-byte deployment.created events,`,
    `            ${load.warmupSeconds} s warm-up then ${load.seconds} s measured, per target; ${load.rounds} rounds, alternated`,
    "  targets   verify-only: checks the signature, stores nothing",
    "            floor: + JSON.parse, id, one INSERT OR IGNORE transaction per batch on a writer thread (WAL, FULL)",
    ...(median.floorDelivery
      ? [
          "            floor + delivery: the floor, and each new event's delivery row (one index) in the same transaction",
        ]
      : []),
    "            switchyard: one route to one destination (disabled: each event's delivery is created and waits)",
    "",
    `${"target".padEnd(14)}  ${"req/s".padStart(9)}  ${"p50 ms".padStart(8)}  ${"p99 ms".padStart(8)}  ${"non-2xx".padStart(8)}  ${"errors".padStart(7)}  ${"server CPU".padStart(11)}  ${"µs CPU/req".padStart(10)}  ${"load CPU".padStart(9)}  ${"others".padStart(8)}`,
  ];
  for (let i = 0; i < load.rounds; i++) {
    for (const [name, r] of /** @type {const} */ ([
      ["verify-only", runs.verifyOnly[i]],
      ["floor", runs.floor[i]],
      [FLOOR_DELIVERY, runs.floorDelivery[i]],
      ["switchyard", runs.switchyard[i]],
    ])) {
      if (r) lines.push(row(`${name} ${i + 1}`, r));
    }
  }
  lines.push(
    "",
    "µs of CPU per request by thread: main / busiest other (the writer thread) / the rest (V8's helpers, libuv);",
    "then the server's core over the window: busy, idle while the writer waits on the disk (iowait), idle",
  );
  for (let i = 0; i < load.rounds; i++) {
    for (const [name, r] of /** @type {const} */ ([
      ["floor", runs.floor[i]],
      [FLOOR_DELIVERY, runs.floorDelivery[i]],
      ["switchyard", runs.switchyard[i]],
    ])) {
      const u = r ? perRequestByThread(r) : null;
      if (!u) continue;
      const core = coreLine(/** @type {LoadResult} */ (r));
      lines.push(
        `  ${`${name} ${i + 1}`.padEnd(14)}${u.main.padStart(5)} / ${u.writer} / ${u.rest}${core ? `   ${core}` : ""}`,
      );
    }
  }
  const med = (/** @type {string} */ name, /** @type {Medians} */ x) =>
    `  ${name.padEnd(12)} ${int(x.rps).padStart(9)} req/s, p50 ${ms(x.p50)}, p99 ${ms(x.p99)}`;
  lines.push(
    "",
    "medians",
    med("verify-only", median.verifyOnly),
    med("floor", median.floor),
    ...(median.floorDelivery ? [med(FLOOR_DELIVERY, median.floorDelivery)] : []),
    med("switchyard", median.switchyard),
    "",
    `switchyard / floor, req/s: ${ratio.rps.toFixed(2)}× (goal ≥ ${goal.rps.toFixed(2)}×: ${ratio.rps >= goal.rps ? "met" : "NOT met"})`,
    `switchyard / floor, p99:   ${ratio.p99.toFixed(2)}× (goal ≤ ${goal.p99.toFixed(2)}×: ${ratio.p99 <= goal.p99 ? "met" : "NOT met"})`,
    `for reference: switchyard / verify-only ${ratio.rpsOfVerifyOnly.toFixed(2)}×, floor / verify-only ${ratio.floorOfVerifyOnly.toFixed(2)}×`,
  );
  if (ratio.floorDeliveryOfFloor !== null && ratio.rpsOfFloorDelivery !== null) {
    lines.push(
      `the delivery row alone: floor + delivery / floor ${ratio.floorDeliveryOfFloor.toFixed(2)}×; switchyard / floor + delivery ${ratio.rpsOfFloorDelivery.toFixed(2)}×`,
    );
  }
  for (const [i, r] of runs.switchyard.entries()) {
    const d = r.durability;
    lines.push(
      `switchyard ${i + 1}: ${int(d.stored)} events and ${int(d.deliveries)} deliveries in the SQLite file after SIGTERM (exit ${d.exit.code ?? d.exit.signal}), ` +
        `${int(d.answered200)} answered 200: ${d.stored >= d.answered200 ? "ok" : "MISSING EVENTS"}; ` +
        `RSS ${mb(r.memory.idleRss)} idle, ${mb(r.memory.loadedRss)} loaded (${r.memory.perInFlight === null ? "n/a" : `${int(r.memory.perInFlight / 1024)} KB`} per in-flight request); ` +
        `event-loop delay p50 ${ms(r.eventLoopDelayMs.p50)}, p99 ${ms(r.eventLoopDelayMs.p99)}, max ${ms(r.eventLoopDelayMs.max)}; ` +
        `garbage collection in the window: ${gcLine(r.gc, r.ok)}`,
    );
  }
  for (const [name, floorRuns] of /** @type {const} */ ([
    ["floor", runs.floor],
    ["floor + delivery", runs.floorDelivery],
  ])) {
    for (const [i, r] of floorRuns.entries()) {
      const d = r.durability;
      if (d.stored < d.answered200)
        lines.push(
          `${name} ${i + 1}: MISSING EVENTS (${int(d.stored)} stored, ${int(d.answered200)} answered 200)`,
        );
    }
  }
  if (load.sampledAllocations) lines.push("", ...allocationLines(runs));
  const all = [...runs.verifyOnly, ...runs.floor, ...runs.floorDelivery, ...runs.switchyard];
  for (const r of all) {
    if (r.non2xx > 0) lines.push(`non-2xx by status: ${JSON.stringify(r.statuses)}`);
    if (r.total.errors > 0) lines.push(`errors: ${JSON.stringify(r.errorKinds)}`);
    if (r.bodies.starved > 0) lines.push(`the load generator waited for bodies ${r.bodies.starved} times`);
  }
  const noisy = all.some((r) => (r.restOfMachine ?? 0) + (r.steal ?? 0) > NOISY);
  if (noisy) {
    lines.push(
      `Other work used more than ${pct(NOISY)} of a CPU during a window ("others", steal): the figures are disturbed; run again on a quiet machine.`,
    );
  }
  if (load.profiled) lines.push("Switchyard ran under --cpu-prof: its figures are not representative.");
  if (load.sampledAllocations)
    lines.push(
      "The floor and Switchyard ran under the sampling heap profiler: their speed is not representative.",
    );
  return `${lines.join("\n")}\n`;
}
