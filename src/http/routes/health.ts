import { Hono } from "hono";
import { StoreUnavailableError } from "../../storage/port.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { jsonResponse } from "../json-response.js";

/**
 * `/healthz`: the process is up. `/readyz`: the store answers and can commit. `/metrics`:
 * Prometheus text. All unauthenticated.
 */
export function healthRoutes({ store, metrics }: Pick<ApiDeps, "store" | "metrics">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get("/healthz", () => jsonResponse(200, { ok: true }));
  app.get("/metrics", async () => {
    const text = await metrics.registry.metrics();
    return new Response(text, {
      headers: {
        "content-type": metrics.registry.contentType,
        "content-length": String(Buffer.byteLength(text)),
      },
    });
  });
  app.get("/readyz", async () => {
    try {
      await store.ping();
      return jsonResponse(200, { ok: true, store: store.capabilities.dialect });
    } catch (error) {
      // The reason names codes only, never an address, a path or a credential: no token guards it.
      const reason = error instanceof StoreUnavailableError ? (error.reason ?? null) : null;
      return jsonResponse(503, {
        ok: false,
        code: "unavailable",
        message: "the store cannot commit or does not answer",
        store: store.capabilities.dialect,
        reason,
      });
    }
  });
  return app;
}
