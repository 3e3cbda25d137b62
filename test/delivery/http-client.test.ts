import { once } from "node:events";
import type http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AttemptRequest, type AttemptResult, DeliveryClient } from "../../src/delivery/http-client.js";
import { ipv6LoopbackAvailable, refusedPort, type Sink, startSink } from "./sink.js";

const body = new TextEncoder().encode('{"type":"deployment.succeeded"}');
const ipv6 = await ipv6LoopbackAvailable();

function attempt(url: string, overrides: Partial<AttemptRequest> = {}): AttemptRequest {
  return {
    url,
    headers: { "content-type": "application/json", "webhook-signature": "v1,c2VjcmV0LXNpZ25hdHVyZQ==" },
    body,
    timeoutMs: 5_000,
    allowPrivateNetwork: true,
    ...overrides,
  };
}

function expectError(result: AttemptResult, kind: string) {
  expect(
    result.kind === "error" ? result.error : `response ${result.kind === "response" && result.status}`,
  ).toBe(kind);
}

const sinks: Sink[] = [];
async function sink(handle?: (req: http.IncomingMessage, res: http.ServerResponse) => void, host?: string) {
  const started = await startSink(handle, host);
  sinks.push(started);
  return started;
}

const servers: net.Server[] = [];
/** A TCP server on 127.0.0.1 that answers whatever arrives first with `reply`, then hangs up. */
async function rawServer(reply: string): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.end(reply));
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

let client: DeliveryClient;
beforeAll(() => {
  client = new DeliveryClient();
});
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  for (const server of servers.splice(0)) server.close();
});
afterAll(async () => {
  await client.close();
});

describe("SSRF guard, end to end", () => {
  it.each([
    ["an IPv4 loopback literal", (port: number) => `http://127.0.0.1:${port}/hook`],
    ["an IPv4-mapped IPv6 literal", (port: number) => `http://[::ffff:127.0.0.1]:${port}/hook`],
    ["a name that resolves to loopback", (port: number) => `http://localhost:${port}/hook`],
    ["a decimal IPv4 literal", (port: number) => `http://2130706433:${port}/hook`],
  ])("blocks %s; the sink receives nothing", async (_label, url) => {
    const target = await sink();
    const result = await client.send(attempt(url(target.port), { allowPrivateNetwork: false }));
    expectError(result, "ssrf_blocked");
    expect(target.received).toHaveLength(0);
  });

  it.skipIf(!ipv6)("blocks the IPv6 loopback literal", async () => {
    const target = await sink(undefined, "::1");
    const result = await client.send(attempt(target.url, { allowPrivateNetwork: false }));
    expectError(result, "ssrf_blocked");
    expect(target.received).toHaveLength(0);
  });

  it("blocks the cloud metadata address before connecting", async () => {
    // A connect attempt to an unroutable address would end in `timeout`, not `ssrf_blocked`.
    const result = await client.send(
      attempt("http://169.254.169.254/latest/meta-data/", { allowPrivateNetwork: false, timeoutMs: 100 }),
    );
    expectError(result, "ssrf_blocked");
  });

  it("delivers to a private address when private networks are allowed", async () => {
    const target = await sink((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => res.end(Buffer.concat(chunks)));
    });
    const result = await client.send(attempt(`http://localhost:${target.port}/hook?x=1`));
    expect(result).toMatchObject({ kind: "response", status: 200, body: new TextDecoder().decode(body) });
    expect(target.received).toHaveLength(1);
    expect(target.received[0]?.method).toBe("POST");
    expect(target.received[0]?.url).toBe("/hook?x=1");
    expect(target.received[0]?.headers["webhook-signature"]).toBe("v1,c2VjcmV0LXNpZ25hdHVyZQ==");
  });

  it("returns a redirect as a response and never follows it", async () => {
    const other = await sink();
    const redirecting = await sink((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${other.port}/` }).end();
    });
    const result = await client.send(attempt(redirecting.url));
    expect(result).toMatchObject({ kind: "response", status: 302 });
    expect(result.kind === "response" && result.headers.location).toBe(`http://127.0.0.1:${other.port}/`);
    expect(redirecting.received).toHaveLength(1);
    expect(other.received).toHaveLength(0);
  });
});

describe("responses", () => {
  it("records a 500 with its body", async () => {
    const target = await sink((_req, res) => res.writeHead(500).end("upstream exploded"));
    const result = await client.send(attempt(target.url));
    expect(result).toMatchObject({
      kind: "response",
      status: 500,
      body: "upstream exploded",
      truncated: false,
    });
  });

  it("captures response headers, joining repeated ones", async () => {
    const target = await sink((_req, res) => {
      res.setHeader("retry-after", "120");
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.writeHead(429).end();
    });
    const result = await client.send(attempt(target.url));
    expect(result).toMatchObject({ kind: "response", status: 429, body: "" });
    expect(result.kind === "response" && result.headers).toMatchObject({
      "retry-after": "120",
      "set-cookie": "a=1, b=2",
    });
  });

  it("keeps at most 16 KiB of a 1 MiB response", async () => {
    const target = await sink((_req, res) => res.end(Buffer.alloc(1024 * 1024, "x")));
    const result = await client.send(attempt(target.url));
    expect(result).toMatchObject({ kind: "response", status: 200, truncated: true });
    expect(result.kind === "response" && result.body).toBe("x".repeat(16 * 1024));
  });

  it("does not mark a body of exactly the cap as truncated", async () => {
    const small = new DeliveryClient({ maxResponseBytes: 10 });
    try {
      const exact = await sink((_req, res) => res.end("0123456789"));
      expect(await small.send(attempt(exact.url))).toMatchObject({ body: "0123456789", truncated: false });
      const over = await sink((_req, res) => res.end("0123456789A"));
      expect(await small.send(attempt(over.url))).toMatchObject({ body: "0123456789", truncated: true });
    } finally {
      await small.close();
    }
  });

  it("reuses the kept-alive connection", async () => {
    const target = await sink();
    await client.send(attempt(target.url));
    // undici returns the connection to the pool a turn after the body ends; dispatching sooner opens another.
    await new Promise(setImmediate);
    await client.send(attempt(target.url));
    const [first, second] = target.received;
    expect(second?.socket).toBe(first?.socket);
  });

  it("drops the connection of a response cut at the cap rather than draining it", async () => {
    // An endless body: drained, it would hold the connection forever.
    const target = await sink((_req, res) => {
      const chunk = Buffer.alloc(64 * 1024, "x");
      const more = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on("drain", more);
      more();
    });
    expect(await client.send(attempt(target.url))).toMatchObject({ truncated: true });
    const socket = target.received[0]?.socket;
    if (socket && !socket.destroyed) await new Promise((resolve) => socket.once("close", resolve));
    expect(socket?.destroyed).toBe(true);
  });

  it("measures duration with the injected clock", async () => {
    const readings = [1_000, 1_250];
    const timed = new DeliveryClient({ clock: () => readings.shift() ?? 9_999 });
    try {
      const target = await sink();
      expect(await timed.send(attempt(target.url))).toMatchObject({ kind: "response", durationMs: 250 });
    } finally {
      await timed.close();
    }
  });
});

describe("failures", () => {
  it("times out on a server that never answers", async () => {
    const target = await sink(() => {}); // holds the request open
    const result = await client.send(attempt(target.url, { timeoutMs: 200 }));
    expectError(result, "timeout");
    expect(target.received).toHaveLength(1);
  });

  it("times out on a body that never finishes", async () => {
    const target = await sink((_req, res) =>
      res.writeHead(200, { "content-length": "100" }).write("partial"),
    );
    expectError(await client.send(attempt(target.url, { timeoutMs: 200 })), "timeout");
  });

  it("reports a socket destroyed mid-request as reset", async () => {
    const target = await sink((req) => req.socket.destroy());
    expectError(await client.send(attempt(target.url)), "reset");
  });

  it("reports a refused port as connect", async () => {
    const port = await refusedPort();
    expectError(await client.send(attempt(`http://127.0.0.1:${port}/`)), "connect");
  });

  it.each([true, false])(
    "reports an unresolvable host as dns (private allowed: %s)",
    async (allowPrivateNetwork) => {
      expectError(await client.send(attempt("http://nonexistent.invalid/", { allowPrivateNetwork })), "dns");
    },
  );

  it("reports garbage instead of HTTP as protocol", async () => {
    const port = await rawServer("SSH-2.0-OpenSSH_9.6\r\n\r\n");
    expectError(await client.send(attempt(`http://127.0.0.1:${port}/`)), "protocol");
  });

  it("reports a failed TLS handshake as tls", async () => {
    // Plain HTTP where a TLS ServerHello belongs: OpenSSL rejects the record.
    const port = await rawServer("HTTP/1.1 400 Bad Request\r\n\r\n");
    expectError(await client.send(attempt(`https://127.0.0.1:${port}/`)), "tls");
  });

  it.each(["not a url", "ftp://example.com/", "file:///etc/passwd", "http://"])(
    "reports %j as invalid_url",
    async (url) => {
      expectError(await client.send(attempt(url)), "invalid_url");
    },
  );

  it("sends each endpoint's own path and query, and judges an endpoint alike on every attempt", async () => {
    const target = await sink();
    for (const path of ["a?x=1", "b", "a?x=1", "a?x=2"]) {
      const result = await client.send(attempt(`${target.url}${path}`));
      expect(result.kind === "response" && result.status).toBe(200);
    }
    expect(target.received.map((r) => r.url)).toEqual(["/a?x=1", "/b", "/a?x=1", "/a?x=2"]);
    // The same literal address, refused or let through by each request's own setting.
    const guarded = `http://127.0.0.1:${target.port}/c`;
    expectError(await client.send(attempt(guarded, { allowPrivateNetwork: false })), "ssrf_blocked");
    expect((await client.send(attempt(guarded))).kind).toBe("response");
    expectError(await client.send(attempt(guarded, { allowPrivateNetwork: false })), "ssrf_blocked");
    for (let i = 0; i < 2; i++) expectError(await client.send(attempt("http://")), "invalid_url");
  });

  it("keeps header values out of the message", async () => {
    const result = await client.send(
      attempt("http://127.0.0.1:9/", { headers: { authorization: "Bearer sk_live_abcdef\r\nx: y" } }),
    );
    expectError(result, "other");
    expect(result.kind === "error" && result.message).not.toContain("sk_live_abcdef");
  });
});
