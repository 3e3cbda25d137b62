import type { RouteConfig } from "../config/routing-schema.js";
import { type CompiledFilter, compileFilter } from "../core/filter.js";
import { getEventType, normalizeEventType } from "../vercel/index.js";

const normalizeType = (t: string) => normalizeEventType(t).canonical;
const spellings = (t: string): readonly string[] => {
  const entry = getEventType(t);
  return entry ? [entry.type, ...entry.aliases] : [t];
};

/** Compiles a route's `types` and `filter` as the planner matches them; throws FilterError on a bad one. */
export function compileRouteFilter(route: Pick<RouteConfig, "types" | "filter">): CompiledFilter {
  const spec = {
    ...(route.filter ? { filter: route.filter } : {}),
    ...(route.types ? { types: route.types } : {}),
  };
  return compileFilter(spec, { normalizeType, spellings });
}
