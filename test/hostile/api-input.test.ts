import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startTestApp, type TestApp } from "../support/app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const cursorOf = (id: string) => Buffer.from(id).toString("base64url");

describe("query parameters of the lists", () => {
  it.each([
    ["since", "281474976710656"], // one past the last millisecond an id can hold
    ["since", "99999999999999999999"],
    ["since", "1969-01-01T00:00:00Z"],
    ["since", "-1"],
    ["since", "1e3"],
    ["since", "2024-02-31"],
    ["since", "2024-01-01T10:00:00"], // no offset: it would be read in the server's zone
    ["since", "yesterday"],
    ["since", ""],
    ["limit", "0"],
    ["limit", "201"],
    ["limit", "0x10"],
    ["limit", "1e2"],
    ["limit", "1.5"],
    ["limit", " 5"],
    ["limit", ""],
    ["cursor", "bogus"],
    ["cursor", cursorOf("evt_ZZZZZZZZZZZZZZZZZZZZZZZZZZ")],
    ["cursor", cursorOf("dlv_01J0000000000000000000000")],
    ["source", "a\u0000b"],
    ["type", "\u0000"],
  ])("GET /api/v1/events refuses %s=%j with 400 invalid_query naming it", async (name, value) => {
    const res = await api(app, `/api/v1/events?${new URLSearchParams({ [name]: value })}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_query");
    expect(res.body.message).toContain(name);
  });

  it.each([
    ["since", "0"],
    ["since", "281474976710655"],
    ["since", "1970-01-01T00:00:00Z"],
    ["since", "2024-01-01"],
    ["since", "2024-01-01T10:00:00+02:00"],
    ["limit", "1"],
    ["limit", "200"],
  ])("takes %s=%s at the edge of what is valid", async (name, value) => {
    const res = await api(app, `/api/v1/events?${new URLSearchParams({ [name]: value })}`);
    expect(res.status).toBe(200);
  });

  it.each([
    ["status", "bogus"],
    ["limit", "abc"],
    ["cursor", cursorOf("evt_01J00000000000000000000000")],
    ["destination", "\u0000"],
    ["event", "\u0000"],
    ["event", "not-an-event-id"],
  ])("GET /api/v1/deliveries refuses %s=%j with 400 invalid_query naming it", async (name, value) => {
    const res = await api(app, `/api/v1/deliveries?${new URLSearchParams({ [name]: value })}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_query");
    expect(res.body.message).toContain(name);
  });
});

describe("ids in paths", () => {
  it.each([
    ["GET", "/api/v1/events/evt_%00"],
    ["GET", "/api/v1/events/%00"],
    ["GET", "/api/v1/events/evt_ZZZZZZZZZZZZZZZZZZZZZZZZZZ"],
    ["POST", "/api/v1/events/evt_%00/replay"],
    ["GET", "/api/v1/deliveries/%00"],
    ["GET", "/api/v1/deliveries/dlv_%00"],
    ["POST", "/api/v1/deliveries/dlv_%00/retry"],
  ])("%s %s is 404 not_found", async (method, path) => {
    const res = await api(app, path, { method });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });
});

describe("times and text in replay bodies", () => {
  it.each([
    ["since", "99999999999999999999"],
    ["since", "281474976710656"],
    ["since", -1],
    ["since", 1.5],
    ["since", 1e300],
    ["since", "1969-01-01T00:00:00Z"],
    ["until", "2024-13-01"],
    ["until", "2024-01-01T10:00:00"],
    ["destination", "a\u0000"],
    ["type", "\u0000"],
  ])("POST /api/v1/replay refuses %s: %j with 400 invalid_request naming it", async (name, value) => {
    const res = await api(app, "/api/v1/replay", {
      method: "POST",
      body: JSON.stringify({ status: "failed", [name]: value }),
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_request");
    expect(res.body.message).toContain(name);
  });

  it("takes the edges of the time range", async () => {
    const res = await api(app, "/api/v1/replay", {
      method: "POST",
      body: JSON.stringify({ since: 0, until: "281474976710655", dryRun: true }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matched: 0, dryRun: true });
  });
});
