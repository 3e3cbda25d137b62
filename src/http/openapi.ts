import { z } from "zod";
import type { ApiOperation, ApiRegistry } from "./api-spec.js";
import { ERROR_CODES, type ErrorCode } from "./errors.js";

/** Where the management API is mounted: the registry's paths are relative to it. */
export const API_BASE = "/api/v1";

/** A JSON Schema (2020-12, as OpenAPI 3.1 takes it), or an OpenAPI object built around some. */
type Json = Record<string, unknown>;

/** The OpenAPI 3.1 document of the management API. Its shape is OpenAPI's; only what is read here is typed. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: Json;
  security: Json[];
  tags: { name: string }[];
}

/** One operation of the document, as the reference page reads it. */
export interface OpenApiOperation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  parameters: OpenApiParameter[];
  requestBody?: {
    required: boolean;
    description?: string;
    content: Record<string, { schema: Json; example: unknown }>;
  };
  responses: Record<string, OpenApiResponse>;
  security?: Json[];
}

export interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  description?: string;
  schema: Json;
  example?: unknown;
}

export interface OpenApiResponse {
  description: string;
  content?: Record<
    string,
    { schema: Json; example?: unknown; examples?: Record<string, { value: unknown }> }
  >;
}

/** The codes any operation can answer: the admin token, `?tenant=`, and the unexpected. */
const EVERY_OPERATION: readonly ErrorCode[] = ["unauthorized", "invalid_query", "internal"];
/** The codes an operation served without the token can answer. */
const EVERY_PUBLIC_OPERATION: readonly ErrorCode[] = ["internal"];
/** The codes any operation that reads a JSON body can answer. */
const WITH_BODY: readonly ErrorCode[] = ["invalid_json", "invalid_request", "payload_too_large"];

/** The JSON Schema of a zod schema: a request's as it is sent (`input`), an answer's as it is written. */
export function jsonSchema(schema: z.ZodType, io: "input" | "output"): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
  return rest;
}

/** `/events/:id` as OpenAPI writes it, under the API's base: `/api/v1/events/{id}`. */
export function openApiPath(path: string): string {
  return API_BASE + path.replace(/:(\w+)/g, "{$1}");
}

/** The document, built from the operations the routes declared. */
export function buildOpenApi(registry: ApiRegistry, version: string): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const op of registry) {
    const path = openApiPath(op.path);
    paths[path] ??= {};
    (paths[path] as Record<string, OpenApiOperation>)[op.method] = operation(op);
  }
  const tags = [...new Set(registry.map((op) => op.tag))].map((name) => ({ name }));
  return {
    openapi: "3.1.1",
    info: {
      title: "Switchyard management API",
      version,
      description:
        "Events, deliveries, replays, sources, destinations and routes, tenants, and the Vercel integration's installations and runs. " +
        "Every request carries `Authorization: Bearer <admin token>`; a tenant's records are reached with `?tenant=` (default `default`). " +
        "Every error is `{code, message}` with a stable code.",
    },
    security: [{ adminToken: [] }],
    tags,
    paths,
    components: {
      securitySchemes: {
        adminToken: { type: "http", scheme: "bearer", description: "The server's `adminToken`." },
      },
      parameters: {
        tenant: {
          name: "tenant",
          in: "query",
          required: false,
          description:
            "The tenant acted for; default `default`. Letters, digits, `_`, `-`, `.`, `:`; at most 128.",
          schema: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$" },
        },
      },
      schemas: {
        Error: {
          type: "object",
          description: "Every error answer: a stable code (see `docs/errors.md`) and words for a person.",
          properties: {
            code: { type: "string", enum: Object.keys(ERROR_CODES) },
            message: { type: "string" },
          },
          required: ["code", "message"],
          additionalProperties: false,
        },
      },
    },
  };
}

function operation(op: ApiOperation): OpenApiOperation {
  const parameters = [
    ...parameterList(op.params, "path"),
    ...parameterList(op.query, "query"),
    ...parameterList(op.headers, "header"),
  ];
  const result: OpenApiOperation = {
    operationId: operationId(op),
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    parameters: op.public
      ? parameters
      : [...parameters, { $ref: "#/components/parameters/tenant" } as unknown as OpenApiParameter],
    responses: {},
    ...(op.public ? { security: [] } : {}),
  };
  if (op.body) {
    result.requestBody = {
      required: true,
      content: {
        "application/json": { schema: jsonSchema(op.body.schema, "input"), example: op.body.example },
      },
    };
  }
  for (const [status, answer] of Object.entries(op.responses)) {
    result.responses[status] = {
      description: answer.description,
      ...(answer.schema
        ? {
            content: {
              [answer.contentType ?? "application/json"]: {
                schema: jsonSchema(answer.schema, "output"),
                ...(answer.example !== undefined ? { example: answer.example } : {}),
              },
            },
          }
        : {}),
    };
  }
  const codes = new Set<ErrorCode>([
    ...(op.public ? EVERY_PUBLIC_OPERATION : EVERY_OPERATION),
    ...(op.body ? WITH_BODY : []),
    ...op.errors,
  ]);
  for (const [status, group] of byStatus(codes)) result.responses[status] = errorResponse(group);
  return result;
}

/** `getEvents`, `postEventsIdReplay`: from the method and the path's words. */
function operationId(op: ApiOperation): string {
  const words = op.path.split(/[/:-]/).filter(Boolean);
  return op.method + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
}

/** The parameters an object schema describes, each property one. */
function parameterList(schema: z.ZodObject | undefined, where: OpenApiParameter["in"]): OpenApiParameter[] {
  if (!schema) return [];
  const json = jsonSchema(schema, "input") as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, examples, ...rest } = property as Json & {
      description?: string;
      examples?: unknown[];
    };
    return {
      name,
      in: where,
      required: where === "path" || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
      ...(examples?.[0] !== undefined ? { example: examples[0] } : {}),
    };
  });
}

/** Error codes grouped by their status, statuses in order. */
function byStatus(codes: Set<ErrorCode>): [string, ErrorCode[]][] {
  const groups = new Map<string, ErrorCode[]>();
  for (const code of codes) {
    const status = String(ERROR_CODES[code].status);
    groups.set(status, [...(groups.get(status) ?? []), code]);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

/** One status's error answer: `{code, message}` with the codes it can carry, an example of each. */
function errorResponse(codes: ErrorCode[]): OpenApiResponse {
  return {
    description: codes.map((c) => `\`${c}\`: ${ERROR_CODES[c].meaning}`).join("\n\n"),
    content: {
      "application/json": {
        schema: {
          allOf: [{ $ref: "#/components/schemas/Error" }],
          properties: { code: { enum: codes } },
        },
        examples: Object.fromEntries(
          codes.map((code) => [code, { value: { code, message: ERROR_CODES[code].meaning } }]),
        ),
      },
    },
  };
}
