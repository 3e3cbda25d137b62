import type { EventSummary } from "../../core/types.js";
import { normalizeEventType } from "../../vercel/index.js";
import { requireAdmin } from "../auth.js";
import type { AppContext } from "../context.js";
import { HttpError, sendJson } from "../errors.js";
import { type AppRouter, route } from "../server.js";

const MAX_LIMIT = 200;

/** The JSON shape of an event in the API. */
export function eventJson(e: EventSummary) {
  return {
    id: e.id,
    externalId: e.externalId,
    source: e.source,
    tenant: e.tenant,
    type: e.type,
    originalType: e.originalType,
    receivedAt: new Date(e.receivedAt).toISOString(),
    unknownType: e.unknownType,
    schemaIssues: e.schemaIssues,
  };
}

function parseLimit(text: string | null): number {
  if (text === null) return 50;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new HttpError("invalid_query", `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return n;
}

function parseSince(text: string | null): number | undefined {
  if (text === null) return undefined;
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms))
    throw new HttpError("invalid_query", "since must be an ISO 8601 time or epoch milliseconds");
  return ms;
}

function parseCursor(text: string | null): string | undefined {
  if (text === null) return undefined;
  const id = Buffer.from(text, "base64url").toString("utf8");
  if (!/^evt_[0-9A-HJKMNP-TV-Z]{26}$/.test(id))
    throw new HttpError("invalid_query", "cursor is not one this API gave");
  return id;
}

/** `GET /api/v1/events` and `GET /api/v1/events/:id`. */
export function registerEventRoutes(router: AppRouter, ctx: AppContext): void {
  router.get(
    "/api/v1/events",
    route(ctx, async (req, res, _params, query) => {
      requireAdmin(req, ctx.adminToken);
      const limit = parseLimit(query.get("limit"));
      const type = query.get("type");
      const items = await ctx.store.listEvents({
        source: query.get("source") ?? undefined,
        type: type ? normalizeEventType(type).canonical : undefined,
        since: parseSince(query.get("since")),
        before: parseCursor(query.get("cursor")),
        limit: limit + 1,
      });
      const page = items.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = items.length > limit && last ? Buffer.from(last.id).toString("base64url") : null;
      sendJson(res, 200, { data: page.map(eventJson), nextCursor });
    }),
  );
  router.get(
    "/api/v1/events/:id",
    route(ctx, async (req, res, params) => {
      requireAdmin(req, ctx.adminToken);
      const event = await ctx.store.getEvent(params.id ?? "");
      if (!event) throw new HttpError("not_found", "no event has that id");
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.from(event.body).toString("utf8"));
      } catch {
        payload = null;
      }
      sendJson(res, 200, { ...eventJson(event), payload });
    }),
  );
}
