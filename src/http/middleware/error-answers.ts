import type { ErrorHandler, NotFoundHandler } from "hono";
import type { Logger } from "pino";
import { OperationError } from "../../operations/errors.js";
import type { ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { errorResponse, internalError } from "../json-response.js";

/**
 * The one place where what a handler throws becomes an answer: an HttpError its `{ code, message }`
 * with the code's status and headers, an operation's refusal the same under its own code; anything else `internal` (500), logged with the request id
 * (through the request's logger; `logger` for an error thrown before there is one).
 */
export function answerError(logger: Logger): ErrorHandler<ApiEnv> {
  return (error, c) => {
    if (error instanceof HttpError) return errorResponse(error);
    if (error instanceof OperationError) return errorResponse(new HttpError(error.code, error.message));
    (c.var.logger ?? logger).error({ err: error, method: c.req.method, path: c.req.path }, "request failed");
    return errorResponse(internalError());
  };
}

/** No route for this path, or none for this method on it: both `not_found` (ingest answers its own 405). */
export const answerNotFound: NotFoundHandler<ApiEnv> = () =>
  errorResponse(new HttpError("not_found", "no such route"));
