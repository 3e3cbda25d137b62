import type { AppContext } from "../context.js";
import { sendJson } from "../errors.js";
import { type AppRouter, route } from "../server.js";

/** `/healthz`: the process is up. `/readyz`: the store answers. `/metrics`: Prometheus text. All unauthenticated. */
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
      } catch {
        sendJson(res, 503, { ok: false, code: "unavailable", message: "the store does not answer" });
      }
    }),
  );
}
