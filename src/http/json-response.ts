import { HttpError } from "./errors.js";

const JSON_TYPE = "application/json; charset=utf-8";

/** A JSON answer, with the same headers the raw ingest path writes (type with charset, length). */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return jsonTextResponse(status, JSON.stringify(body), headers);
}

/** JSON text answered as it is: a stored body spliced in, never parsed and written again. */
export function jsonTextResponse(
  status: number,
  text: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(text, {
    status,
    headers: { "content-type": JSON_TYPE, "content-length": String(Buffer.byteLength(text)), ...headers },
  });
}

/** `{ code, message }` with the code's status and the error's headers. */
export function errorResponse(error: HttpError): Response {
  return jsonResponse(error.status, { code: error.code, message: error.message }, error.headers);
}

/** The `internal` answer for anything thrown that is not an HttpError. */
export const internalError = () => new HttpError("internal", "internal error");
