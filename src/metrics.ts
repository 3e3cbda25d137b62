import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Clock } from "./core/clock.js";
import { destinationCircuit } from "./delivery/destination-circuit.js";
import type { DeliveryWorker } from "./delivery/worker.js";
import type { Store } from "./storage/port.js";

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Prometheus metrics, every series prefixed `switchyard_`; one registry per app. */
export class Metrics {
  readonly registry = new Registry();
  readonly ingestRequests = new Counter({
    name: "switchyard_ingest_requests_total",
    help: "Ingest requests by source and outcome (accepted, duplicate, invalid_signature, ...).",
    labelNames: ["source", "outcome"],
    registers: [this.registry],
  });
  readonly ingestDuration = new Histogram({
    name: "switchyard_ingest_duration_seconds",
    help: "Time from the start of an ingest request to its answer.",
    labelNames: ["source"],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly attempts = new Counter({
    name: "switchyard_delivery_attempts_total",
    help: "Delivery attempts by destination and result (2xx, 4xx, 5xx, or the error kind).",
    labelNames: ["destination", "result"],
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: "switchyard_deliveries_total",
    help: "Deliveries that finished, by destination and outcome (succeeded, failed, skipped).",
    labelNames: ["destination", "outcome"],
    registers: [this.registry],
  });
  readonly sandboxRestarts = new Counter({
    name: "switchyard_transform_sandbox_restarts_total",
    help: "Restarts of the transform sandbox process, by reason (memory, cpu, crash).",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly integrationUnclaimed = new Counter({
    name: "switchyard_integration_unclaimed_events_total",
    help: "Integration webhook events that no active installation claims: stored under tenant unclaimed, never relayed.",
    registers: [this.registry],
  });
  readonly attemptDuration = new Histogram({
    name: "switchyard_delivery_attempt_duration_seconds",
    help: "Duration of delivery attempts.",
    labelNames: ["destination"],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly eventStreams = new Gauge({
    name: "switchyard_event_streams",
    help: "Open event streams (GET /api/v1/events/stream).",
    registers: [this.registry],
  });
  readonly eventStreamsDropped = new Counter({
    name: "switchyard_event_streams_dropped_total",
    help: "Event streams ended because their client did not keep up: more than the bound was held for it.",
    registers: [this.registry],
  });
  readonly eventStreamBufferedPeak = new Gauge({
    name: "switchyard_event_stream_buffered_bytes_peak",
    help: "The most bytes held at once for one event stream's client, not yet taken by its socket, since start.",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "switchyard_" });
  }

  /** Gauges read at scrape time: queue depth, oldest pending delivery, dead letters, circuits. */
  observeQueue(
    store: Store,
    worker: DeliveryWorker,
    destinations: () => readonly { tenant: string; config: { slug: string } }[],
    clock: Clock,
  ): void {
    // One read of the store per scrape, shared by the gauges below: the registry collects them
    // side by side, so each awaits the read in flight instead of showing the last scrape's.
    let reading: ReturnType<Store["queueStats"]> | null = null;
    const read = () => {
      if (!reading) {
        reading = store.queueStats().finally(() => {
          reading = null;
        });
      }
      return reading;
    };
    new Gauge({
      name: "switchyard_queue_depth",
      help: "Deliveries by status.",
      labelNames: ["status"],
      registers: [this.registry],
      async collect() {
        const s = await read();
        for (const [status, n] of Object.entries(s.byStatus)) this.set({ status }, n);
      },
    });
    new Gauge({
      name: "switchyard_oldest_pending_delivery_age_seconds",
      help: "Age of the oldest pending delivery (0 when none).",
      registers: [this.registry],
      async collect() {
        const oldest = (await read()).oldestPendingCreatedAt;
        this.set(oldest === null ? 0 : Math.max(0, (clock.now() - oldest) / 1000));
      },
    });
    new Gauge({
      name: "switchyard_dead_letters",
      help: "Deliveries that failed for good and are kept for replay.",
      registers: [this.registry],
      async collect() {
        this.set((await read()).byStatus.failed);
      },
    });
    new Gauge({
      name: "switchyard_circuit_state",
      help: "1 for the current circuit state of each destination (of each tenant).",
      labelNames: ["destination", "state", "tenant"],
      registers: [this.registry],
      collect() {
        const now = clock.now();
        // Destinations come and go at run time: the gauge shows those in force now.
        this.reset();
        for (const { tenant, config } of destinations()) {
          const destination = config.slug;
          const current = destinationCircuit(worker.stateOf(destination, tenant), now);
          for (const state of ["closed", "open", "half_open"])
            this.set({ destination, state, tenant }, state === current ? 1 : 0);
        }
      },
    });
  }

  /** Counts each recorded outcome of the worker. */
  observeWorker(worker: DeliveryWorker): void {
    worker.on("outcome", (outcome, delivery) => {
      const destination = delivery.destination;
      const attempt = outcome.attempt;
      if (attempt) {
        const result =
          attempt.status !== null ? `${Math.floor(attempt.status / 100)}xx` : (attempt.error ?? "other");
        this.attempts.inc({ destination, result });
        this.attemptDuration.observe({ destination }, attempt.durationMs / 1000);
      }
      if (outcome.status !== "pending") this.deliveries.inc({ destination, outcome: outcome.status });
    });
  }
}
