// Destinations that point at this host, its network or the cloud metadata service, in every
// spelling an attacker may try, driven through a running Switchyard: each delivery attempt must
// end as `ssrf_blocked` before any connection, and nothing may reach the listener on loopback.
// (The guard's unit tests are test/delivery/ssrf.test.ts and test/delivery/http-client.test.ts.)
import { afterEach, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { api, OutcomeLog, startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { sendVercel } from "../support/send.js";
import { FakeClock, Sink } from "../support/sink.js";

const SECRET = VERCEL_SECRETS[0] as string;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Endpoint URLs that must be refused, by what they try; `P` is the port of a listener on loopback. */
const BLOCKED: Record<string, (port: number) => string> = {
  "IPv4 loopback": (p) => `http://127.0.0.1:${p}/hook`,
  "another loopback address": (p) => `http://127.9.9.9:${p}/hook`,
  "a name resolving to loopback": (p) => `http://localhost:${p}/hook`,
  "decimal IPv4": (p) => `http://2130706433:${p}/hook`,
  "hexadecimal IPv4": (p) => `http://0x7f000001:${p}/hook`,
  "octal IPv4": (p) => `http://0177.0.0.1:${p}/hook`,
  "shortened IPv4": (p) => `http://127.1:${p}/hook`,
  "the unspecified address, which Linux connects to loopback": (p) => `http://0.0.0.0:${p}/hook`,
  "IPv6 loopback": (p) => `http://[::1]:${p}/hook`,
  "IPv4-mapped IPv6": (p) => `http://[::ffff:127.0.0.1]:${p}/hook`,
  "IPv4-mapped IPv6 in hex": (p) => `http://[::ffff:7f00:1]:${p}/hook`,
  "NAT64 of loopback": (p) => `http://[64:ff9b::7f00:1]:${p}/hook`,
  "6to4 of loopback": (p) => `http://[2002:7f00:1::]:${p}/hook`,
  "private 10/8": () => "http://10.0.0.1/hook",
  "private 172.16/12": () => "http://172.16.0.1/hook",
  "private 192.168/16": () => "http://192.168.1.1/hook",
  "carrier-grade NAT": () => "http://100.64.0.1/hook",
  "link-local": () => "http://169.254.1.1/hook",
  "cloud metadata": () => "http://169.254.169.254/latest/meta-data/",
  "cloud metadata in decimal": () => "http://2852039166/latest/meta-data/",
  "AWS IPv6 metadata (unique local)": () => "http://[fd00:ec2::254]/latest/meta-data/",
  "IPv6 link-local": () => "http://[fe80::1]/hook",
  "IPv4-mapped metadata": () => "http://[::ffff:169.254.169.254]/latest/meta-data/",
};

interface Attempt {
  status: number | null;
  error: string | null;
  errorMessage: string | null;
}

async function attemptsOf(app: TestApp, destination: string): Promise<Attempt[]> {
  const list = await api(app, `/api/v1/deliveries?destination=${destination}`);
  const [delivery] = list.body.data as { id: string }[];
  return (await api(app, `/api/v1/deliveries/${delivery?.id}`)).body.attemptLog as Attempt[];
}

describe("the SSRF guard, end to end", () => {
  it("refuses every non-public address form before connecting; the listener on loopback receives nothing", async () => {
    const listener = await Sink.start();
    cleanups.push(() => listener.close());
    const port = Number(new URL(listener.url).port);
    const names = Object.keys(BLOCKED);
    const slugOf = (i: number) => `blocked-${i}`;
    // A short timeout: an attempt that got as far as connecting to an unroutable address would
    // end in `timeout` or `connect`, which the test tells apart from `ssrf_blocked`.
    const destinations = names.map((name, i) => ({
      slug: slugOf(i),
      url: (BLOCKED[name] as (port: number) => string)(port),
      timeout: "2s",
    }));
    const app = await startTestApp(
      {
        destinations,
        routes: [{ slug: "all", source: "vercel", destinations: destinations.map((d) => d.slug) }],
      },
      { clock: new FakeClock(Date.now()), app: { pollMs: 3_600_000, random: () => 0.5 } },
    );
    cleanups.push(() => app.stop());
    const log = new OutcomeLog(app);
    expect((await sendVercel(app.url, sampleEvent("deployment.created"), SECRET)).status).toBe(200);
    for (let i = 0; i < names.length; i++) await log.next();

    for (const [i, name] of names.entries()) {
      const attempts = await attemptsOf(app, slugOf(i));
      expect(
        attempts.map((a) => [name, a.status, a.error]),
        name,
      ).toEqual([[name, null, "ssrf_blocked"]]);
      expect(attempts[0]?.errorMessage, name).toMatch(/not a public address/);
    }
    expect(listener.received).toHaveLength(0);
  });

  it("does not follow a redirect to a private address", async () => {
    const redirector = await Sink.start();
    const target = await Sink.start();
    cleanups.push(async () => {
      await redirector.close();
      await target.close();
    });
    redirector.reply = () => ({ status: 307, headers: { location: target.url } });
    const metadata = await Sink.start();
    cleanups.push(() => metadata.close());
    metadata.reply = () => ({
      status: 302,
      headers: { location: "http://169.254.169.254/latest/meta-data/" },
    });
    const app = await startTestApp(
      {
        // The redirecting endpoints are on loopback, so they are allowed by name; where they point is not.
        destinations: [
          { slug: "redirects", url: redirector.url, allowPrivateNetwork: true },
          { slug: "to-metadata", url: metadata.url, allowPrivateNetwork: true },
        ],
        routes: [{ slug: "all", source: "vercel", destinations: ["redirects", "to-metadata"] }],
      },
      { clock: new FakeClock(Date.now()), app: { pollMs: 3_600_000, random: () => 0.5 } },
    );
    cleanups.push(() => app.stop());
    const log = new OutcomeLog(app);
    expect((await sendVercel(app.url, sampleEvent("deployment.created"), SECRET)).status).toBe(200);
    await log.next();
    await log.next();

    expect(redirector.received).toHaveLength(1);
    expect(metadata.received).toHaveLength(1);
    expect(target.received).toHaveLength(0);
    // A redirect is the destination's answer, not a success: the delivery waits for its retry.
    for (const [slug, status] of [
      ["redirects", 307],
      ["to-metadata", 302],
    ] as const) {
      expect((await attemptsOf(app, slug)).map((a) => a.status)).toEqual([status]);
      const [delivery] = (await api(app, `/api/v1/deliveries?destination=${slug}`)).body.data as {
        status: string;
      }[];
      expect(delivery?.status).toBe("pending");
    }
  });
});
