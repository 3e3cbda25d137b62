import type { RouteConfig } from "../config/routing-schema.js";
import { routeSchema } from "../config/routing-schema.js";
import { ConfigError, formatPath } from "../core/config-error.js";
import { FilterError } from "../core/filter.js";
import { INTERNAL_SOURCE } from "../core/types.js";
import { DELIVERY_FAILED, sampleOfType } from "../delivery/alerts.js";
import { type RouteTestResult, testRoute } from "../routing/route-test.js";
import { TransformCompileError } from "../transform/compile-error.js";
import type { OperationsDeps } from "./context.js";
import { OperationError } from "./errors.js";

/** What the route tester is asked: a route (a tenant's by slug, or one written out) and an event. */
export interface RouteTestInput {
  route: string | Record<string, unknown>;
  /** The event, or the catalog type whose sample to use. */
  event?: Record<string, unknown> | undefined;
  sampleType?: string | undefined;
  /** The source the event is taken to come from (default: the route's first). */
  source?: string | undefined;
}

/** The route tester: whether a route matches an event, condition by condition, and what its transform makes of it. */
export class RouteTests {
  constructor(private readonly deps: OperationsDeps) {}

  /** Tests a tenant's route (by slug) or a route written out, never stored, against an event. */
  async run(tenant: string, input: RouteTestInput): Promise<RouteTestResult> {
    const configured = typeof input.route === "string";
    const route =
      typeof input.route === "string" ? this.tenantRoute(tenant, input.route) : adHocRoute(input.route);
    const event = input.event ?? sampleOfType(input.sampleType as string, this.deps.clock.now());
    if (!event)
      throw new OperationError(
        "invalid_request",
        `sampleType: no event type "${input.sampleType}" in the catalog (\`switchyard catalog\` lists them)`,
      );
    // Switchyard's own alert comes from its own source, whatever source the route lists first.
    const ownAlert = input.event === undefined && input.sampleType === DELIVERY_FAILED;
    try {
      return await testRoute({
        route,
        event,
        source: input.source ?? (ownAlert ? INTERNAL_SOURCE : (route.source[0] as string)),
        transformer: this.deps.transforms,
        tenant,
        adHoc: !configured,
      });
    } catch (error) {
      if (error instanceof FilterError || error instanceof ConfigError) throw invalidRoute(error);
      if (error instanceof TransformCompileError)
        throw new OperationError("invalid_route", `route.transform.code: ${error.message}`);
      throw error;
    }
  }

  private tenantRoute(tenant: string, slug: string): RouteConfig {
    const found = this.deps.topology.current.route(tenant, slug);
    if (!found) throw new OperationError("not_found", `no route "${slug}"`);
    return found.config;
  }
}

function adHocRoute(raw: Record<string, unknown>): RouteConfig {
  // A route under test needs no slug or destination of its own.
  const parsed = routeSchema.safeParse({ slug: "test", destinations: ["test"], ...raw });
  if (!parsed.success) {
    throw new OperationError(
      "invalid_route",
      parsed.error.issues.map((i) => `route.${formatPath(i.path)}: ${i.message}`).join("; "),
    );
  }
  // Reading files of the server's disk is for the config file, not for an API caller.
  if (parsed.data.transform?.file !== undefined) {
    throw new OperationError(
      "invalid_route",
      "route.transform.file: test a file transform by its route's slug",
    );
  }
  return parsed.data;
}

function invalidRoute(error: FilterError | ConfigError): OperationError {
  const issues = error instanceof ConfigError ? error.issues : [error.message];
  return new OperationError(
    "invalid_route",
    issues.map((i) => `route.${i.replace(/^routes\[\d+\]\./, "")}`).join("; "),
  );
}
