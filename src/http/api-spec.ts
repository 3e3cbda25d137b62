import { type Context, Hono } from "hono";
import type { z } from "zod";
import type { ApiEnv } from "./api-env.js";
import { type ErrorCode, HttpError } from "./errors.js";
import { readJson, readJsonValue } from "./json-body.js";

/** One answer an operation gives with a 2xx status: its shape, and an example of it. */
export interface ApiAnswer {
  description: string;
  /** The JSON body's schema; absent for an answer without a body (204). */
  schema?: z.ZodType;
  example?: unknown;
  /** `application/json` unless said (an event stream is `text/event-stream`). */
  contentType?: string;
}

/** A request body: its schema, an example, and whether the operation checks it itself. */
export interface ApiBody<B extends z.ZodType, C extends BodyChecker = BodyChecker> {
  schema: B;
  example: unknown;
  /**
   * `operation`: the operation validates the body against this same schema (with checks the
   * schema cannot see, and messages of its own); the handler gets the JSON value as sent.
   */
  checkedBy?: C;
}

/** Who validates a body against its schema: the route, before the handler, or the operation. */
export type BodyChecker = "route" | "operation";

/**
 * One operation of the management API, as a route declares it: what it takes (path, query and
 * header parameters, body, each a zod schema), what it answers, and which error codes it can
 * give. The same schemas validate the request and make the OpenAPI document.
 */
export interface ApiOperation<
  P extends z.ZodObject = z.ZodObject,
  Q extends z.ZodObject = z.ZodObject,
  H extends z.ZodObject = z.ZodObject,
  B extends z.ZodType = z.ZodType,
  C extends BodyChecker = BodyChecker,
> {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** Hono's form, relative to `/api/v1`: `/events/:id`. */
  path: string;
  /** The group it is listed under in the document and the reference page. */
  tag: string;
  summary: string;
  description?: string;
  /** Served without the admin token (the document itself). */
  public?: true;
  /** A path parameter that fails its schema names no record: `not_found`, with the issue's message. */
  params?: P;
  /** A query parameter that fails is `invalid_query` (or the issue's `params.code`), with the first issue's message. */
  query?: Q;
  headers?: H;
  body?: ApiBody<B, C>;
  /** The answers with a 2xx status. */
  responses: Record<number, ApiAnswer>;
  /** The error codes it gives besides those every operation can (`unauthorized`, `invalid_query`, `internal`). */
  errors: readonly ErrorCode[];
}

/** The validated input of an operation, as its handler gets it. */
export interface ApiInput<
  P extends z.ZodObject,
  Q extends z.ZodObject,
  H extends z.ZodObject,
  B extends z.ZodType,
  C extends BodyChecker = "route",
> {
  params: z.output<P>;
  query: z.output<Q>;
  headers: z.output<H>;
  /** The parsed body, or the JSON value as sent when the operation checks it. */
  body: C extends "operation" ? unknown : z.output<B>;
}

type Handler<
  P extends z.ZodObject,
  Q extends z.ZodObject,
  H extends z.ZodObject,
  B extends z.ZodType,
  C extends BodyChecker,
> = (c: Context<ApiEnv>, input: ApiInput<P, Q, H, B, C>) => Response | Promise<Response>;

/** The operations declared so far, in the order they were: the document is built from it. */
export type ApiRegistry = ApiOperation[];

/**
 * Routes of the management API that declare themselves: each `add` registers the operation in the
 * registry and a Hono handler that validates its input with the declared schemas before the
 * handler sees it. Mount `app` at `/api/v1`.
 */
export class ApiRoutes {
  readonly app = new Hono<ApiEnv>();

  constructor(private readonly registry: ApiRegistry) {}

  /** Declares an operation and serves it with `handler`. */
  add<
    P extends z.ZodObject = z.ZodObject<Record<never, never>>,
    Q extends z.ZodObject = z.ZodObject<Record<never, never>>,
    H extends z.ZodObject = z.ZodObject<Record<never, never>>,
    B extends z.ZodType = z.ZodType<undefined>,
    C extends BodyChecker = "route",
  >(operation: ApiOperation<P, Q, H, B, C>, handler: Handler<P, Q, H, B, C>): this {
    this.registry.push(operation as unknown as ApiOperation);
    this.app.on(operation.method.toUpperCase(), operation.path, async (c) => {
      const input = await parseInput(c, operation);
      return handler(c, input);
    });
    return this;
  }
}

/** Path, query and headers first (in that order), then the body: a request with a bad id is not read. */
async function parseInput<
  P extends z.ZodObject,
  Q extends z.ZodObject,
  H extends z.ZodObject,
  B extends z.ZodType,
  C extends BodyChecker,
>(c: Context<ApiEnv>, op: ApiOperation<P, Q, H, B, C>): Promise<ApiInput<P, Q, H, B, C>> {
  const params = parsePart(op.params, c.req.param(), "not_found");
  const query = parsePart(op.query, c.req.query(), "invalid_query");
  const headers = parsePart(op.headers, c.req.header(), "invalid_request");
  let body: unknown;
  if (op.body) {
    body =
      op.body.checkedBy === "operation"
        ? await readJsonValue(c.req.raw)
        : await readJson(c.req.raw, op.body.schema);
  }
  return { params, query, headers, body } as ApiInput<P, Q, H, B, C>;
}

/**
 * One part of the request against its schema; none declared is `{}`. The first issue is the
 * answer, under the part's code unless the issue names its own (`params: { code }`).
 */
function parsePart<S extends z.ZodObject>(
  schema: S | undefined,
  value: Record<string, string>,
  code: ErrorCode,
): z.output<S> {
  if (!schema) return {} as z.output<S>;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const own = issue?.code === "custom" ? (issue.params?.code as ErrorCode | undefined) : undefined;
  throw new HttpError(own ?? code, issue?.message ?? "the request is not valid");
}
