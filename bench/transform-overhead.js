// Cost of a route's transform per event, beside sending the raw bytes: the slack template
// (JSON.parse + render + JSON.stringify, in-process) and a code transform in the isolated-vm
// sandbox process (over the pipe, copy in, run, copy out). Timed on the calling process's clock:
// for the code transform that includes the sandbox process's time when calls do not overlap.
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const CODE = `function transform(event) {
  const d = event.payload.deployment;
  if (!d) return null;
  return { deployment_id: d.id, url: d.url, target: event.payload.target ?? "preview", branch: d.meta?.githubCommitRef ?? null };
}`;

/**
 * Microseconds per event of each transform, awaited one at a time (the worst case: no overlap)
 * and `concurrency` at a time (as the worker calls it).
 * @param {string} root
 * @param {number} n
 */
export async function transformOverhead(root, n = 20_000, concurrency = 64) {
  const { Transformer } = await import(join(root, "dist/transform/apply.js"));
  const { sampleEvent } = await import(join(root, "dist/vercel/index.js"));
  const limits = { timeout: 50, memoryLimitMb: 32, maxOutputBytes: 1024 * 1024 };
  const routes = [
    { slug: "slack", source: ["vercel"], destinations: ["d"], transform: { template: "slack" } },
    { slug: "code", source: ["vercel"], destinations: ["d"], transform: { code: CODE } },
  ];
  const t = await Transformer.create(routes, limits);
  const body = Buffer.from(JSON.stringify(sampleEvent("deployment.created")));
  const meta = {
    eventId: "e",
    deliveryId: "d",
    source: "vercel",
    type: "deployment.created",
    route: "",
    destination: "d",
  };
  /** @type {Record<string, { serialUs: number, concurrentUs: number, callerCpuUs: number }>} */
  const out = {};
  for (const route of ["slack", "code"]) {
    for (let i = 0; i < 2000; i++) await t.render("default", route, body, meta); // warm-up
    let start = performance.now();
    for (let i = 0; i < n; i++) await t.render("default", route, body, meta);
    const serialUs = ((performance.now() - start) * 1000) / n;
    start = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < n; i += concurrency) {
      await Promise.all(Array.from({ length: concurrency }, () => t.render("default", route, body, meta)));
    }
    const concurrentUs = ((performance.now() - start) * 1000) / n;
    const used = process.cpuUsage(cpu);
    // What the calling process itself spends per event (the sandbox process works beside it).
    const callerCpuUs = (used.user + used.system) / n;
    out[route] = { serialUs, concurrentUs, callerCpuUs };
  }
  await t.close();
  return out;
}
