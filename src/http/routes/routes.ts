import { Hono } from "hono";
import { z } from "zod";
import type { ApiDeps, ApiEnv } from "../api-env.js";
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
export function routeTestRoutes({ operations }: Pick<ApiDeps, "operations">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post("/routes/test", async (c) => {
    const body = await readJson(c.req.raw, routeTest);
    return jsonResponse(200, await operations.routeTests.run(c.var.tenant, body));
  });
  return app;
}
