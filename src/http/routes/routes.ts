import { Hono } from "hono";
import { z } from "zod";
import { type RouteConfig, routeSchema } from "../../config/routing-schema.js";
import { ConfigError, formatPath } from "../../core/config-error.js";
import { FilterError } from "../../core/filter.js";
import { testRoute } from "../../routing/route-test.js";
import { TransformCompileError } from "../../transform/compile-error.js";
import { sampleEvent } from "../../vercel/index.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { readJson } from "../json-body.js";
import { jsonResponse } from "../json-response.js";

const routeTest = z
  .strictObject({
    /** A configured route's slug, or a route as it would be written in the config. */
    route: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    event: z.record(z.string(), z.unknown()).optional(),
    sampleType: z.string().min(1).optional(),
    /** The source the event is taken to come from (default: the route's first). */
    source: z.string().min(1).optional(),
  })
  .refine((b) => (b.event === undefined) !== (b.sampleType === undefined), {
    message: "give exactly one of event or sampleType",
    path: ["event"],
  });

/**
 * `POST /api/v1/routes/test`, mounted at `/api/v1`: whether a route matches an event, condition
 * by condition, and what its transform makes of it.
 */
export function routeTestRoutes(ctx: Pick<ApiDeps, "topology" | "transforms">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post("/routes/test", async (c) => {
    const body = await readJson(c.req.raw, routeTest);
    const configured = typeof body.route === "string";
    const subject =
      typeof body.route === "string"
        ? configuredRoute(ctx, c.var.tenant, body.route)
        : adHocRoute(body.route);
    let event: Record<string, unknown>;
    try {
      event = body.event ?? (sampleEvent(body.sampleType as string) as Record<string, unknown>);
    } catch (error) {
      throw new HttpError("invalid_request", `sampleType: ${(error as Error).message}`);
    }
    try {
      const result = await testRoute({
        route: subject,
        event,
        source: body.source ?? (subject.source[0] as string),
        transformer: ctx.transforms,
        tenant: c.var.tenant,
        adHoc: !configured,
      });
      return jsonResponse(200, result);
    } catch (error) {
      if (error instanceof FilterError || error instanceof ConfigError) throw invalidRoute(error);
      if (error instanceof TransformCompileError)
        throw new HttpError("invalid_route", `route.transform.code: ${error.message}`);
      throw error;
    }
  });
  return app;
}

function configuredRoute(ctx: Pick<ApiDeps, "topology">, tenant: string, slug: string): RouteConfig {
  const found = ctx.topology.current.route(tenant, slug);
  if (!found) throw new HttpError("not_found", `no route "${slug}"`);
  return found.config;
}

function adHocRoute(raw: Record<string, unknown>): RouteConfig {
  // A route under test needs no slug or destination of its own.
  const parsed = routeSchema.safeParse({ slug: "test", destinations: ["test"], ...raw });
  if (!parsed.success) {
    throw new HttpError(
      "invalid_route",
      parsed.error.issues.map((i) => `route.${formatPath(i.path)}: ${i.message}`).join("; "),
    );
  }
  // Reading files of the server's disk is for the config file, not for an API caller.
  if (parsed.data.transform?.file !== undefined) {
    throw new HttpError("invalid_route", "route.transform.file: test a file transform by its route's slug");
  }
  return parsed.data;
}

function invalidRoute(error: FilterError | ConfigError): HttpError {
  const issues = error instanceof ConfigError ? error.issues : [error.message];
  return new HttpError(
    "invalid_route",
    issues.map((i) => `route.${i.replace(/^routes\[\d+\]\./, "")}`).join("; "),
  );
}
