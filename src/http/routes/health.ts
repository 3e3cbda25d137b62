import { StoreUnavailableError } from "../../storage/port.js";
import type { AppContext } from "../context.js";
import { sendJson } from "../errors.js";
import { type AppRouter, route } from "../route.js";

/**
 * `/healthz`: the process is up. `/readyz`: the store answers and can commit. `/metrics`:
 * Prometheus text. All unauthenticated.
 */
export function registerHealthRoutes(router: AppRouter, ctx: AppContext): void {
  router.get(
    "/healthz",
    route(ctx, (_req, res) => sendJson(res, 200, { ok: true })),
  );
  router.get(
    "/metrics",
    route(ctx, async (_req, res) => {
      const text = await ctx.metrics.registry.metrics();
      res.writeHead(200, { "content-type": ctx.metrics.registry.contentType });
      res.end(text);
    }),
  );
  router.get(
    "/readyz",
    route(ctx, async (_req, res) => {
      try {
        await ctx.store.ping();
        sendJson(res, 200, { ok: true, store: ctx.store.capabilities.dialect });
      } catch (error) {
        // The reason names codes only, never an address, a path or a credential: no token guards it.
        const reason = error instanceof StoreUnavailableError ? (error.reason ?? null) : null;
        sendJson(res, 503, {
          ok: false,
          code: "unavailable",
          message: "the store cannot commit or does not answer",
          store: ctx.store.capabilities.dialect,
          reason,
        });
      }
    }),
  );
}
