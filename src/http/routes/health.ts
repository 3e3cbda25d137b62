import type { AppContext } from "../context.js";
import { sendJson } from "../errors.js";
import { type AppRouter, route } from "../server.js";

/** `/healthz`: the process is up. `/readyz`: the store answers. Both unauthenticated. */
export function registerHealthRoutes(router: AppRouter, ctx: AppContext): void {
  router.get(
    "/healthz",
    route(ctx, (_req, res) => sendJson(res, 200, { ok: true })),
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
