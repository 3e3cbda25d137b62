import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import { formatPath } from "../core/config-error.js";
import { readBody } from "../ingest/read-body.js";
import { HttpError } from "./errors.js";

const MAX_API_BODY = 256 * 1024;

/** Reads and validates a JSON request body; an empty body is `{}`. Bad input is a 400 with a stable code. */
export async function readJson<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.output<S>> {
  const read = await readBody(req, MAX_API_BODY);
  if (read.kind === "too_large")
    throw new HttpError("payload_too_large", `the body exceeds ${MAX_API_BODY} bytes`);
  // No budget is given, so nothing is over one.
  if (read.kind !== "ok") throw new HttpError("invalid_json", "the request was aborted");
  let value: unknown = {};
  if (read.body.length > 0) {
    try {
      value = JSON.parse(read.body.toString("utf8"));
    } catch {
      throw new HttpError("invalid_json", "the body is not valid JSON");
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(
      "invalid_request",
      result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join("; "),
    );
  }
  return result.data;
}
