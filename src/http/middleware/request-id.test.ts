import { Writable } from "node:stream";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../log.js";
import type { ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { answerError } from "./error-answers.js";
import { REQUEST_ID_HEADER, requestId } from "./request-id.js";

/** Lines a logger wrote, parsed. */
function capturedLogger() {
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
  return { logger, lines };
}

function testApp() {
  const { logger, lines } = capturedLogger();
  const app = new Hono<ApiEnv>();
  app.use("*", requestId(logger));
  app.onError(answerError(logger));
  app.get("/id", (c) => {
    c.var.logger.info("handled");
    return c.text(c.var.requestId);
  });
  app.get("/refused", () => {
    throw new HttpError("not_found", "nothing");
  });
  return { app, lines };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("requestId", () => {
  it("makes an id, echoes it and logs with it", async () => {
    const { app, lines } = testApp();
    const res = await app.request("/id");
    const id = res.headers.get(REQUEST_ID_HEADER) as string;
    expect(id).toMatch(UUID);
    expect(await res.text()).toBe(id);
    expect(lines).toEqual([expect.objectContaining({ requestId: id, msg: "handled" })]);
  });

  it("makes a new id for every request", async () => {
    const { app } = testApp();
    const a = (await app.request("/id")).headers.get(REQUEST_ID_HEADER);
    const b = (await app.request("/id")).headers.get(REQUEST_ID_HEADER);
    expect(a).not.toBe(b);
  });

  it("keeps a sane incoming id", async () => {
    const { app, lines } = testApp();
    const res = await app.request("/id", { headers: { [REQUEST_ID_HEADER]: "edge-7f3a:01.2_b" } });
    expect(res.headers.get(REQUEST_ID_HEADER)).toBe("edge-7f3a:01.2_b");
    expect(lines[0]?.requestId).toBe("edge-7f3a:01.2_b");
  });

  it.each([
    ["empty", ""],
    ["too long", "a".repeat(129)],
    ["with spaces", "a b"],
    ["with a quote", 'a"b'],
    ["with non-ASCII", "caf\u00e9"],
  ])("replaces an incoming id that is %s", async (_name, given) => {
    const { app } = testApp();
    const res = await app.request("/id", { headers: { [REQUEST_ID_HEADER]: given } });
    expect(res.headers.get(REQUEST_ID_HEADER)).toMatch(UUID);
  });

  it("puts the id on error answers too", async () => {
    const { app } = testApp();
    const res = await app.request("/refused", { headers: { [REQUEST_ID_HEADER]: "r-1" } });
    expect(res.status).toBe(404);
    expect(res.headers.get(REQUEST_ID_HEADER)).toBe("r-1");
  });
});
