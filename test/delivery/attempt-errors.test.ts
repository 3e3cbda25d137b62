import { describe, expect, it } from "vitest";
import { SsrfBlockedError } from "../../src/core/ssrf.js";
import { classifyError, safeErrorMessage } from "../../src/delivery/attempt-errors.js";

function coded(code: string, message = `failed: ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe("classifyError", () => {
  it.each([
    ["UND_ERR_CONNECT_TIMEOUT", "timeout"],
    ["UND_ERR_HEADERS_TIMEOUT", "timeout"],
    ["UND_ERR_ABORTED", "timeout"],
    ["ENOTFOUND", "dns"],
    ["EAI_AGAIN", "dns"],
    ["ECONNREFUSED", "connect"],
    ["EHOSTUNREACH", "connect"],
    ["ENETUNREACH", "connect"],
    ["ECONNRESET", "reset"],
    ["UND_ERR_SOCKET", "reset"],
    ["EPIPE", "reset"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "tls"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "tls"],
    ["CERT_HAS_EXPIRED", "tls"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "tls"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "tls"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls"],
    ["HPE_INVALID_CONSTANT", "protocol"],
    ["UND_ERR_HEADERS_OVERFLOW", "protocol"],
    ["ERR_INVALID_URL", "invalid_url"],
    ["SSRF_BLOCKED", "ssrf_blocked"],
    ["UND_ERR_INVALID_ARG", "other"],
    ["ESOMETHINGNEW", "other"],
  ])("%s → %s", (code, kind) => {
    expect(classifyError(coded(code))).toBe(kind);
  });

  it("finds the code on a cause or on the first of aggregated errors", () => {
    expect(classifyError(new Error("fetch failed", { cause: coded("ECONNRESET") }))).toBe("reset");
    expect(classifyError(new AggregateError([coded("ECONNREFUSED"), coded("ENETUNREACH")]))).toBe("connect");
  });

  it("classifies abort errors, SSRF refusals and non-errors", () => {
    expect(classifyError(new DOMException("aborted", "AbortError"))).toBe("timeout");
    expect(classifyError(new SsrfBlockedError("internal.example", "10.0.0.1"))).toBe("ssrf_blocked");
    expect(classifyError("a string")).toBe("other");
    expect(classifyError(undefined)).toBe("other");
  });
});

describe("safeErrorMessage", () => {
  const url = new URL("https://user:hunter22@hooks.example.com/services/T000/B000/XXXXXXXX?token=abcdef123");
  const headers = { authorization: "Bearer sk_live_0123456789", "webhook-signature": "v1,c2lnbmF0dXJl" };
  const body = new TextEncoder().encode('{"secret":1}');

  it("redacts header values, URL credentials, path, query and a short body", () => {
    const err = coded(
      "EWEIRD",
      `boom Bearer sk_live_0123456789 v1,c2lnbmF0dXJl hunter22 /services/T000/B000/XXXXXXXX?token=abcdef123 {"secret":1}`,
    );
    const message = safeErrorMessage(err, { headers, url, body });
    expect(message).toBe("EWEIRD: boom [redacted] [redacted] [redacted] [redacted] [redacted]");
  });

  it("redacts a URL quoted whole, and a webhook token or query value quoted alone", () => {
    const slack = new URL("https://hooks.slack.com/services/T0AAA/B0BBB/t0kenValue99?key=k3yValue");
    const err = new Error(
      "failed https://other:pw@elsewhere.example/x?sig=s1gnature, token t0kenValue99, key k3yValue",
    );
    expect(safeErrorMessage(err, { headers: {}, url: slack })).toBe(
      "failed https://[redacted]@elsewhere.example/x?sig=[redacted], token [redacted], key [redacted]",
    );
  });

  it("keeps the code once and clips long messages", () => {
    expect(safeErrorMessage(coded("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:9"), { headers: {} })).toBe(
      "connect ECONNREFUSED 127.0.0.1:9",
    );
    const clipped = safeErrorMessage(new Error("x".repeat(1000)), { headers: {} });
    expect(clipped.length).toBeLessThanOrEqual(300);
    expect(clipped.endsWith("… (1000 characters in all)")).toBe(true);
  });
});
