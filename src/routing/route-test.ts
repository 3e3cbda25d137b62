import { performance } from "node:perf_hooks";
import type { RouteConfig } from "../config/routing-schema.js";
import type { ExplainedCondition } from "../core/filter.js";
import type { Rendered, Transformer } from "../transform/apply.js";
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
 * its result, then the transform. A configured route's transform is the app's; an ad-hoc route's
 * (`adHoc`) is compiled for this test alone, whether it matches or not, so that code that does not
 * compile is reported whatever the event (TransformCompileError).
 */
export async function testRoute(input: {
  route: RouteConfig;
  event: Record<string, unknown>;
  source: string;
  transformer: Transformer;
  /** The tenant whose route it is (its compiled code is the tenant's). */
  tenant: string;
  adHoc: boolean;
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
  let transform: RouteTestResult["transform"] = null;
  if (route.transform) {
    const meta = {
      eventId: "evt_route_test",
      deliveryId: "dlv_route_test",
      source: input.source,
      type: subject.type,
      route: route.slug,
      destination: route.destinations[0] ?? "",
    };
    const raw = Buffer.from(JSON.stringify(event));
    const t0 = performance.now();
    const rendered = input.adHoc
      ? await input.transformer.trial(route.transform, raw, meta, matched)
      : matched
        ? await input.transformer.render(input.tenant, route.slug, raw, meta)
        : null;
    if (rendered) transform = describe(rendered, performance.now() - t0);
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
