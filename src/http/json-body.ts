import { z } from "zod";
import { formatPath } from "../core/config-error.js";
import { HttpError } from "./errors.js";

const MAX_API_BODY = 256 * 1024;

/** Reads and validates a JSON request body; an empty body is `{}`. Bad input is a 400 with a stable code. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const body = await readCapped(request, MAX_API_BODY);
  let value: unknown = {};
  if (body.length > 0) {
    try {
      value = JSON.parse(body.toString("utf8"));
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

/**
 * The body's bytes, read as they stream in and never more than `maxBytes` of them: a declared
 * or actual size over the cap is `payload_too_large` without reading (or buffering) the rest.
 */
async function readCapped(request: Request, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new HttpError("payload_too_large", `the body exceeds ${maxBytes} bytes`);
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (request.body === null) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const read = await reader.read().catch(() => {
      throw new HttpError("invalid_json", "the request was aborted");
    });
    if (read.done) return Buffer.concat(chunks, size);
    size += read.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(read.value);
  }
}

/** Reads a JSON request body as it is, for an operation that validates it itself; an empty body is `{}`. */
export function readJsonValue(request: Request): Promise<unknown> {
  return readJson(request, z.unknown());
}
