import { performance } from "node:perf_hooks";
import type { RouteConfig } from "../config/routing-schema.js";
import type { TransformsSettings } from "../config/transform-schema.js";
import type { ExplainedCondition } from "../core/filter.js";
import { DEFAULT_TENANT } from "../core/types.js";
import { type Rendered, Transformer } from "../transform/apply.js";
import { normalizeEventType } from "../vercel/index.js";
import { compileRouteFilter } from "./planner.js";

/** What the route tester says about one route and one event. */
export interface RouteTestResult {
  route: string;
  matched: boolean;
  source: { expected: string[]; actual: string; result: boolean };
  conditions: ExplainedCondition[];
  /** Null when the route has no transform, or did not match. */
  transform: {
    outcome: Rendered["outcome"];
    contentType: string | null;
    /** The body as sent: parsed JSON, or text. */
    output: unknown;
    bytes: number | null;
    error: { message: string; line: number | null } | null;
    durationMs: number;
  } | null;
  durationMs: number;
}

/**
 * Runs a route against an event as delivery would: source, `types` and each filter condition with
 * its result, then the transform. `transformer` is the app's for a configured route; an ad-hoc
 * route is compiled into a sandbox of its own, released afterwards.
 */
export async function testRoute(input: {
  route: RouteConfig;
  event: Record<string, unknown>;
  source: string;
  limits: TransformsSettings;
  transformer?: Transformer | undefined;
}): Promise<RouteTestResult> {
  const started = performance.now();
  const { route, event } = input;
  const sent = typeof event.type === "string" ? event.type : "";
  const subject = {
    type: sent ? normalizeEventType(sent).canonical : "",
    originalType: sent,
    source: input.source,
    body: event,
  };
  const filter = compileRouteFilter(route);
  const sourceMatches = route.source.includes(input.source);
  const matched = sourceMatches && filter.match(subject);
  // Compiled before matching, so code that does not compile is reported whatever the event.
  const own = route.transform && !input.transformer ? new Transformer([route], input.limits) : null;
  let transform: RouteTestResult["transform"] = null;
  try {
    const transformer = input.transformer ?? own;
    if (matched && route.transform && transformer) {
      const t0 = performance.now();
      const rendered = await transformer.render(
        DEFAULT_TENANT,
        route.slug,
        Buffer.from(JSON.stringify(event)),
        {
          eventId: "evt_route_test",
          deliveryId: "dlv_route_test",
          source: input.source,
          type: subject.type,
          route: route.slug,
          destination: route.destinations[0] ?? "",
        },
      );
      transform = describe(rendered, performance.now() - t0);
    }
  } finally {
    own?.close();
  }
  return {
    route: route.slug,
    matched,
    source: { expected: route.source, actual: input.source, result: sourceMatches },
    conditions: filter.explain(subject),
    transform,
    durationMs: round(performance.now() - started),
  };
}

function describe(r: Rendered, ms: number): NonNullable<RouteTestResult["transform"]> {
  const durationMs = round(ms);
  if (r.outcome !== "transformed") {
    const error = r.outcome === "failed" ? { message: r.message, line: r.line } : null;
    return { outcome: r.outcome, contentType: null, output: null, bytes: null, error, durationMs };
  }
  const text = Buffer.from(r.body).toString("utf8");
  const output: unknown = r.contentType.startsWith("application/json") ? JSON.parse(text) : text;
  return {
    outcome: r.outcome,
    contentType: r.contentType,
    output,
    bytes: r.body.byteLength,
    error: null,
    durationMs,
  };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
