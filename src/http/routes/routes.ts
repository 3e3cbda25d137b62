import { z } from "zod";
import type { ApiDeps } from "../api-env.js";
import type { ApiRoutes } from "../api-spec.js";
import { jsonResponse } from "../json-response.js";

const routeTest = z
  .strictObject({
    /** A configured route's slug, or a route as it would be written in the config. */
    route: z
      .union([z.string().min(1), z.record(z.string(), z.unknown())])
      .meta({ description: "A route's slug, or a route written out as in the config file (never stored)." }),
    event: z.record(z.string(), z.unknown()).optional().meta({ description: "The event's body." }),
    sampleType: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Or a type whose catalog sample is the event." }),
    /** The source the event is taken to come from (default: the route's first). */
    source: z.string().min(1).optional(),
  })
  .refine((b) => (b.event === undefined) !== (b.sampleType === undefined), {
    message: "give exactly one of event or sampleType",
    path: ["event"],
  });

const routeTestAnswer = z.strictObject({
  route: z.string(),
  matched: z.boolean(),
  source: z.strictObject({ expected: z.array(z.string()), actual: z.string(), result: z.boolean() }),
  conditions: z
    .array(z.looseObject({ path: z.string(), field: z.string(), operator: z.string(), found: z.boolean() }))
    .meta({ description: "Each condition (`types`, then the filter's) with what was found and its result." }),
  transform: z
    .strictObject({
      outcome: z.enum(["transformed", "skipped", "failed"]),
      contentType: z.string().nullable(),
      output: z.unknown().meta({ description: "The body as it would be sent: parsed JSON, or text." }),
      bytes: z.number().int().nullable(),
      error: z.strictObject({ message: z.string(), line: z.number().int().nullable() }).nullable(),
      durationMs: z.number(),
    })
    .nullable()
    .meta({ description: "Null when the route has no transform, or did not match." }),
  durationMs: z.number(),
});

/**
 * `POST /api/v1/routes/test`, mounted at `/api/v1`: whether a route matches an event, condition
 * by condition, and what its transform makes of it.
 */
export function routeTestRoutes(api: ApiRoutes, { operations }: Pick<ApiDeps, "operations">): void {
  api.add(
    {
      method: "post",
      path: "/routes/test",
      tag: "Routes",
      summary: "Test a route against an event",
      description:
        "Whether the route matches, condition by condition, and what its transform makes of the event.",
      body: { schema: routeTest, example: { route: "deploys", sampleType: "deployment.succeeded" } },
      responses: {
        200: {
          description: "The route's verdict on the event.",
          schema: routeTestAnswer,
          example: {
            route: "deploys",
            matched: true,
            source: { expected: ["vercel"], actual: "vercel", result: true },
            conditions: [
              {
                path: "types",
                field: "type",
                operator: "types",
                value: ["deployment.succeeded"],
                found: true,
                actual: "deployment.succeeded",
                result: true,
              },
            ],
            transform: null,
            durationMs: 0.4,
          },
        },
      },
      errors: ["not_found", "invalid_route"],
    },
    async (c, { body }) => jsonResponse(200, await operations.routeTests.run(c.var.tenant, body)),
  );
}
