import { Writable } from "node:stream";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../log.js";
import type { ApiEnv } from "../api-env.js";
import { ERROR_CODES, type ErrorCode, HttpError } from "../errors.js";
import { answerError, answerNotFound } from "./error-answers.js";
import { requestId } from "./request-id.js";

function testApp() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    "info",
    new Writable({
      write(line: Buffer, _encoding, done) {
        lines.push(JSON.parse(line.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  const app = new Hono<ApiEnv>();
  app.use("*", requestId(logger));
  app.onError(answerError(logger));
  app.notFound(answerNotFound);
  app.get("/throw/:code", (c) => {
    throw new HttpError(c.req.param("code") as ErrorCode, "said so", { "retry-after": "5" });
  });
  app.get("/crash", () => {
    throw new Error("secret detail");
  });
  return { app, lines };
}

describe("answerError", () => {
  it.each(Object.keys(ERROR_CODES) as ErrorCode[])(
    "answers %s with its status, { code, message } and its headers",
    async (code) => {
      const res = await testApp().app.request(`/throw/${code}`);
      expect(res.status).toBe(ERROR_CODES[code].status);
      expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(res.headers.get("retry-after")).toBe("5");
      expect(await res.json()).toEqual({ code, message: "said so" });
    },
  );

  it("answers anything else 500 internal, without its message, and logs it with the request id", async () => {
    const { app, lines } = testApp();
    const res = await app.request("/crash", { headers: { "x-request-id": "crash-1" } });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ code: "internal", message: "internal error" });
    expect(res.headers.get("x-request-id")).toBe("crash-1");
    expect(lines).toEqual([
      expect.objectContaining({ requestId: "crash-1", path: "/crash", msg: "request failed" }),
    ]);
  });
});

describe("answerNotFound", () => {
  it("answers an unknown path and an unknown method alike: 404 not_found", async () => {
    const { app } = testApp();
    for (const [method, path] of [
      ["GET", "/nope"],
      ["POST", "/crash"],
    ]) {
      const res = await app.request(path as string, { method });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ code: "not_found", message: "no such route" });
    }
  });
});
