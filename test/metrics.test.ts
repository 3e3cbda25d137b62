import { expect, it } from "vitest";
import { sampleEvent } from "../src/vercel/index.js";
import { api, OutcomeLog, startTestApp, VERCEL_SECRETS } from "./support/app.js";
import { post, sendVercel } from "./support/send.js";
import { FakeClock, Sink } from "./support/sink.js";

it("exposes Prometheus metrics, every series prefixed switchyard_", async () => {
  const sink = await Sink.start();
  const app = await startTestApp({
    delivery: { allowPrivateNetworks: true },
    destinations: [{ slug: "ops", url: sink.url }],
    routes: [{ slug: "r", source: "vercel", destinations: ["ops"] }],
  });
  try {
    const log = new OutcomeLog(app);
    const event = sampleEvent("deployment.created");
    await sendVercel(app.url, event, VERCEL_SECRETS[0] as string);
    await sendVercel(app.url, event, VERCEL_SECRETS[0] as string);
    await post(`${app.url}/ingest/vercel`, "{}", { "x-vercel-signature": "0".repeat(40) });
    await log.next();
    const res = await fetch(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('switchyard_ingest_requests_total{source="vercel",outcome="accepted"} 1');
    expect(text).toContain('switchyard_ingest_requests_total{source="vercel",outcome="duplicate"} 1');
    expect(text).toContain('switchyard_ingest_requests_total{source="vercel",outcome="invalid_signature"} 1');
    expect(text).toContain('switchyard_delivery_attempts_total{destination="ops",result="2xx"} 1');
    expect(text).toContain('switchyard_deliveries_total{destination="ops",outcome="succeeded"} 1');
    expect(text).toContain('switchyard_queue_depth{status="pending"} 0');
    expect(text).toContain('switchyard_circuit_state{destination="ops",state="closed",tenant="default"} 1');
    expect(text).toMatch(/^switchyard_ingest_duration_seconds_bucket/m);
    expect(text).toMatch(/^switchyard_delivery_attempt_duration_seconds_bucket/m);
    expect(text).toMatch(/^switchyard_oldest_pending_delivery_age_seconds 0$/m);
    expect(text).toMatch(/^switchyard_dead_letters 0$/m);
    const series = text.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(series.filter((l) => !l.startsWith("switchyard_"))).toEqual([]);
  } finally {
    await app.stop();
    await sink.close();
  }
});

it("tells the queue as it is at this scrape, not as it was at the last one", async () => {
  const clock = new FakeClock(Date.UTC(2026, 3, 1));
  const sink = await Sink.start();
  sink.reply = () => ({ status: 500 });
  const app = await startTestApp(
    {
      delivery: { allowPrivateNetworks: true },
      destinations: [
        { slug: "dies", url: sink.url, retry: { schedule: ["0s"], jitter: 0 } },
        { slug: "off", url: sink.url },
      ],
      routes: [{ slug: "r", source: "vercel", destinations: ["dies", "off"] }],
    },
    { clock },
  );
  const scrape = async () => (await fetch(`${app.url}/metrics`)).text();
  try {
    expect(await scrape()).toMatch(/^switchyard_dead_letters 0$/m);
    await api(app, "/api/v1/destinations/off/disable", { method: "POST" });
    const log = new OutcomeLog(app);
    await sendVercel(app.url, sampleEvent("deployment.created"), VERCEL_SECRETS[0] as string);
    await log.next((o) => o.status === "failed");
    clock.advance(90_000);
    // The first scrape after the change shows it: one dead letter, a pending one 90 s old.
    const text = await scrape();
    expect(text).toMatch(/^switchyard_dead_letters 1$/m);
    expect(text).toMatch(/^switchyard_oldest_pending_delivery_age_seconds 90$/m);
    expect(text).toContain('switchyard_queue_depth{status="failed"} 1');
  } finally {
    await app.stop();
    await sink.close();
  }
});
