import type { Server } from "node:http";
import { Counter, Gauge, type Registry } from "prom-client";
import type { UnverifiedBytes } from "../ingest/unverified-bytes.js";
import type { ClientErrorCode } from "./client-errors.js";

/** What the HTTP server counts of its connections and of what it refuses before any handler runs. */
export interface ServerMetrics {
  /** Counts a request Node's parser refused (timeout, headers too large, malformed). */
  clientError(code: ClientErrorCode): void;
}

/**
 * Registers the HTTP server's series: open connections, connections dropped at
 * `server.maxConnections`, requests refused by the parser, and the unverified ingest bytes held
 * (now and at most). All but the counters are read at scrape time, off the request path.
 */
export function observeServer(
  registry: Registry,
  server: Server,
  unverified: UnverifiedBytes,
): ServerMetrics {
  new Gauge({
    name: "switchyard_http_connections",
    help: "Open HTTP connections.",
    registers: [registry],
    async collect() {
      const count = await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n ?? 0)));
      this.set(count);
    },
  });
  const dropped = new Counter({
    name: "switchyard_http_connections_dropped_total",
    help: "Connections closed at once because server.maxConnections were open.",
    registers: [registry],
  });
  server.on("drop", () => dropped.inc());
  const refused = new Counter({
    name: "switchyard_http_client_errors_total",
    help: "Requests refused before routing, by code (request_timeout, headers_too_large, bad_request).",
    labelNames: ["code"],
    registers: [registry],
  });
  new Gauge({
    name: "switchyard_ingest_unverified_bytes",
    help: "Bytes of ingest bodies read whose signature is not checked yet (bounded by limits.maxUnverifiedBytes).",
    registers: [registry],
    collect() {
      this.set(unverified.bytes);
    },
  });
  new Gauge({
    name: "switchyard_ingest_unverified_bytes_peak",
    help: "The most bytes of unverified ingest bodies held at once since start.",
    registers: [registry],
    collect() {
      this.set(unverified.peak);
    },
  });
  return { clientError: (code) => refused.inc({ code }) };
}
