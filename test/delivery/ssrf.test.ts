import type { LookupAddress } from "node:dns";
import type { Socket } from "node:net";
import { Agent, type buildConnector } from "undici";
import { describe, expect, it } from "vitest";
import {
  createSsrfConnector,
  createSsrfLookup,
  isBlockedAddress,
  type Resolver,
} from "../../src/core/ssrf.js";
import { startSink } from "./sink.js";

describe("isBlockedAddress", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.255.255.254", true],
    ["10.1.2.3", true],
    ["172.16.0.1", true],
    ["172.31.255.255", true],
    ["172.32.0.1", false],
    ["172.15.255.255", false],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["100.128.0.1", false],
    ["0.0.0.0", true],
    ["224.0.0.1", true],
    ["255.255.255.255", true],
    ["240.0.0.1", true],
    ["198.18.0.1", true],
    ["192.0.2.1", true],
    ["::1", true],
    ["::", true],
    ["0:0:0:0:0:0:0:1", true],
    ["fe80::1", true],
    ["fc00::1", true],
    ["fd00:ec2::254", true],
    ["ff02::1", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:7f00:1", true],
    ["::ffff:10.0.0.1", true],
    ["::ffff:169.254.169.254", true],
    ["::ffff:0:10.0.0.1", true],
    ["::127.0.0.1", true],
    ["64:ff9b::a00:1", true],
    ["64:ff9b::127.0.0.1", true],
    ["2002:a00:1::", true],
    ["2002:7f00:1::1", true],
    ["2001:db8::1", true],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", true], // Teredo
    ["8.8.8.8", false],
    ["1.1.1.1", false],
    ["2606:4700:4700::1111", false],
    ["::ffff:8.8.8.8", false],
    ["64:ff9b::808:808", false],
    ["2002:808:808::", false],
  ])("%s → blocked %s", (ip, expected) => {
    expect(isBlockedAddress(ip)).toBe(expected);
  });

  it.each([
    "fe80::1%eth0",
    "2606:4700:4700::1111%1",
    "[::1]",
    "localhost",
    "",
    "127.1",
    "0x7f000001",
    "2130706433",
    "1::2::3",
    "::ffff:127.0.0.256",
    " 8.8.8.8",
  ])("blocks what is not a plain IP address: %j", (input) => {
    expect(isBlockedAddress(input)).toBe(true);
  });
});

function fakeResolver(addresses: LookupAddress[]): Resolver {
  return (_hostname, _options, callback) => queueMicrotask(() => callback(null, addresses));
}

function lookupAll(lookup: ReturnType<typeof createSsrfLookup>, all: boolean) {
  return new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) => {
    lookup("hooks.example.com", { all }, (err, address, family) => resolve({ err, address, family }));
  });
}

describe("createSsrfLookup", () => {
  const mixed = [
    { address: "93.184.215.14", family: 4 },
    { address: "10.0.0.7", family: 4 },
  ];

  it("fails with SSRF_BLOCKED when any resolved address is blocked", async () => {
    const result = await lookupAll(createSsrfLookup({ resolve: fakeResolver(mixed) }), true);
    expect(result.err?.code).toBe("SSRF_BLOCKED");
    expect(result.err?.message).toContain("10.0.0.7");
  });

  it("passes every address through when all are public, in both callback forms", async () => {
    const publicOnly = [
      { address: "93.184.215.14", family: 4 },
      { address: "2606:2800:21f:cb07:6820:80da:af6b:8b2c", family: 6 },
    ];
    const lookup = createSsrfLookup({ resolve: fakeResolver(publicOnly) });
    expect(await lookupAll(lookup, true)).toEqual({ err: null, address: publicOnly, family: undefined });
    expect(await lookupAll(lookup, false)).toEqual({ err: null, address: "93.184.215.14", family: 4 });
  });

  it("allows private addresses when private networks are allowed", async () => {
    const lookup = createSsrfLookup({ resolve: fakeResolver(mixed), allowPrivateNetwork: true });
    expect((await lookupAll(lookup, true)).err).toBeNull();
  });

  it("reports an empty answer as ENOTFOUND and passes resolver errors through", async () => {
    expect((await lookupAll(createSsrfLookup({ resolve: fakeResolver([]) }), true)).err?.code).toBe(
      "ENOTFOUND",
    );
    const failing: Resolver = (_h, _o, callback) => {
      const err: NodeJS.ErrnoException = new Error("getaddrinfo EAI_AGAIN hooks.example.com");
      err.code = "EAI_AGAIN";
      callback(err, []);
    };
    expect((await lookupAll(createSsrfLookup({ resolve: failing }), true)).err?.code).toBe("EAI_AGAIN");
  });
});

describe("createSsrfConnector", () => {
  it.each(["127.0.0.1", "::1", "169.254.169.254", "[::ffff:7f00:1]"])(
    "refuses the IP literal %s without opening a socket",
    async (hostname) => {
      const connect = createSsrfConnector();
      const err = await new Promise<Error | null>((resolve) => {
        connect({ hostname, protocol: "http:", port: "80" }, (error: Error | null, socket: Socket | null) => {
          socket?.destroy();
          resolve(error);
        });
      });
      expect((err as NodeJS.ErrnoException | null)?.code).toBe("SSRF_BLOCKED");
    },
  );
});

describe("createSsrfConnector through undici and net.connect", () => {
  const loopback = fakeResolver([{ address: "127.0.0.1", family: 4 }]);

  // Whether net asks the lookup for all addresses (Happy Eyeballs) or one, the connection is made.
  it.each([true, false])(
    "connects to the address the lookup returned (autoSelectFamily %s)",
    async (auto) => {
      const sink = await startSink();
      // BuildOptions' types omit autoSelectFamily, which buildConnector passes on to net.connect.
      const connectOptions = { autoSelectFamily: auto } as buildConnector.BuildOptions;
      const guard = { allowPrivateNetwork: true, resolve: loopback };
      const agent = new Agent({ connect: createSsrfConnector(guard, connectOptions) });
      try {
        const response = await agent.request({
          origin: `http://sink.test:${sink.port}`,
          path: "/",
          method: "POST",
        });
        expect(await response.body.text()).toBe("ok");
        expect(sink.received).toHaveLength(1);
      } finally {
        await agent.close();
        await sink.close();
      }
    },
  );

  it("refuses a name with one private address among public ones; nothing is sent", async () => {
    const sink = await startSink();
    const resolve = fakeResolver([
      { address: "93.184.215.14", family: 4 },
      { address: "127.0.0.1", family: 4 },
    ]);
    const agent = new Agent({ connect: createSsrfConnector({ resolve }) });
    try {
      const request = agent.request({ origin: `http://sink.test:${sink.port}`, path: "/", method: "POST" });
      await expect(request).rejects.toMatchObject({ code: "SSRF_BLOCKED" });
      expect(sink.received).toHaveLength(0);
    } finally {
      await agent.close();
      await sink.close();
    }
  });
});
