import { z } from "zod";
import type { ApiRoutes } from "../api-spec.js";
import { jsonResponse } from "../json-response.js";
import type { OpenApiDocument } from "../openapi.js";

/**
 * `GET /api/v1/openapi.json`, mounted at `/api/v1` before the admin token is asked for: the
 * document is the same on every server (made from the code, no setting or record in it), so it
 * tells nothing the package does not, and tools and people can read it without the token.
 */
export function openApiRoutes(api: ApiRoutes, document: () => OpenApiDocument): void {
  api.add(
    {
      method: "get",
      path: "/openapi.json",
      tag: "Reference",
      summary: "This document: the management API in OpenAPI 3.1",
      public: true,
      responses: {
        200: {
          description: "The OpenAPI 3.1 document.",
          schema: z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }),
          example: { openapi: "3.1.1", info: { title: "Switchyard management API" }, paths: {} },
        },
      },
      errors: [],
    },
    () => jsonResponse(200, document(), { "cache-control": "no-cache" }),
  );
}
