import { expect, it } from "vitest";
import { rateLimitWaitMs } from "../../src/integration/rate-limit-wait.js";

const NOW = Date.parse("2026-01-01T00:00:00Z");

it("reads Retry-After in seconds or as a date, before X-RateLimit-Reset", () => {
  expect(rateLimitWaitMs(new Headers({ "retry-after": "1.5", "x-ratelimit-reset": "0" }), NOW)).toBe(1500);
  expect(rateLimitWaitMs(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:07 GMT" }), NOW)).toBe(7000);
});

it("reads X-RateLimit-Reset as epoch seconds, and never answers a negative wait", () => {
  expect(rateLimitWaitMs(new Headers({ "x-ratelimit-reset": String(NOW / 1000 + 4) }), NOW)).toBe(4000);
  expect(rateLimitWaitMs(new Headers({ "x-ratelimit-reset": String(NOW / 1000 - 4) }), NOW)).toBe(0);
});

it("answers null when neither header says anything usable", () => {
  expect(rateLimitWaitMs(new Headers(), NOW)).toBeNull();
  expect(rateLimitWaitMs(new Headers({ "retry-after": "soon", "x-ratelimit-reset": "" }), NOW)).toBeNull();
});
