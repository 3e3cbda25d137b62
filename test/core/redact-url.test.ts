import { describe, expect, it } from "vitest";
import { redactUrl, redactUrlsIn, secretsOfUrl } from "../../src/core/redact-url.js";

const R = "[redacted]";

describe("redactUrl", () => {
  it("hides the user and password, keeping scheme, host and port", () => {
    expect(redactUrl("https://alice:s3cret@example.com:8443/hook")).toBe(
      `https://${R}@example.com:8443/hook`,
    );
    expect(redactUrl("https://apikey@example.com/hook")).toBe(`https://${R}@example.com/hook`);
    expect(redactUrl("https://:pw@example.com/")).toBe(`https://${R}@example.com/`);
    expect(redactUrl("postgres://switchyard:pw@db.internal:5432/app")).toBe(
      `postgres://${R}@db.internal:5432/app`,
    );
  });

  it("hides every query value and the fragment, keeping the names", () => {
    expect(redactUrl("https://example.com/in?token=abc&sig=def&flag&empty=")).toBe(
      `https://example.com/in?token=${R}&sig=${R}&flag&empty=${R}`,
    );
    expect(redactUrl("https://example.com/in#access_token=abc")).toBe(`https://example.com/in#${R}`);
    expect(redactUrl("https://example.com/in?a=1#")).toBe(`https://example.com/in?a=${R}`);
  });

  it("hides the token of a Slack webhook and workflow URL", () => {
    expect(redactUrl("https://hooks.slack.com/services/T0123ABCD/B0456EFGH/aBcDeFgHiJkLmNoPqRsTuVwX")).toBe(
      `https://hooks.slack.com/services/T0123ABCD/B0456EFGH/${R}`,
    );
    expect(redactUrl("https://hooks.slack.com/services/T1/B2/plainwords")).toBe(
      `https://hooks.slack.com/services/T1/B2/${R}`,
    );
    expect(redactUrl("https://hooks.slack.com/triggers/T1/123/abc")).toBe(
      `https://hooks.slack.com/triggers/T1/123/${R}`,
    );
  });

  it("hides the token of a Discord webhook, on every Discord host and API version", () => {
    for (const host of ["discord.com", "discordapp.com", "canary.discord.com", "ptb.discordapp.com"]) {
      expect(redactUrl(`https://${host}/api/webhooks/112233445566778899/tok-en_value`)).toBe(
        `https://${host}/api/webhooks/112233445566778899/${R}`,
      );
    }
    expect(redactUrl("https://discord.com/api/v10/webhooks/1122/tok/slack")).toBe(
      `https://discord.com/api/v10/webhooks/1122/${R}/slack`,
    );
  });

  it("hides everything after the first path segment of a Teams or Outlook connector URL", () => {
    expect(
      redactUrl("https://contoso.webhook.office.com/webhookb2/a1b2@c3d4/IncomingWebhook/0123abcd/e5f6/V2xyz"),
    ).toBe(`https://contoso.webhook.office.com/webhookb2/${R}/${R}/${R}/${R}/${R}`);
    expect(redactUrl("https://outlook.office.com/webhook/group@tenant/IncomingWebhook/hash/id")).toBe(
      `https://outlook.office.com/webhook/${R}/${R}/${R}/${R}`,
    );
  });

  it("hides Google Chat's key and token, and the tokens of Zapier, Make, IFTTT and Telegram URLs", () => {
    expect(redactUrl("https://chat.googleapis.com/v1/spaces/AAAA/messages?key=K&token=T")).toBe(
      `https://chat.googleapis.com/v1/spaces/AAAA/messages?key=${R}&token=${R}`,
    );
    expect(redactUrl("https://hooks.zapier.com/hooks/catch/123/abcdef/")).toBe(
      `https://hooks.zapier.com/hooks/catch/123/abcdef/`.replace("abcdef", R),
    );
    expect(redactUrl("https://hook.eu1.make.com/abcdefghijkl")).toBe(`https://hook.eu1.make.com/${R}`);
    expect(redactUrl("https://maker.ifttt.com/trigger/deploy/with/key/mykey")).toBe(
      `https://maker.ifttt.com/trigger/deploy/with/key/${R}`,
    );
    expect(redactUrl("https://api.telegram.org/bot123456:AAH-secret/sendMessage")).toBe(
      `https://api.telegram.org/bot${R}/sendMessage`,
    );
  });

  it("hides token-like path segments on any host, and keeps words", () => {
    expect(redactUrl("https://example.com/hooks/550e8400-e29b-41d4-a716-446655440000")).toBe(
      `https://example.com/hooks/${R}`,
    );
    expect(redactUrl("https://example.com/hooks/9f86d081884c7d659a2feaa0c55ad015")).toBe(
      `https://example.com/hooks/${R}`,
    );
    expect(redactUrl("https://example.com/x/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5")).toBe(
      `https://example.com/x/${R}`,
    );
    for (const plain of [
      "https://example.com/api/v1/webhooks/vercel",
      "https://example.com/deployment-notifications-prod1",
      "https://example.com/WebhookHandlerV2/events",
      "https://example.com/",
    ]) {
      expect(redactUrl(plain)).toBe(plain);
    }
  });

  it("redacts a request target (a path with a query) as it redacts a whole URL", () => {
    expect(redactUrl("/api/v1/events?source=vercel&token=abc")).toBe(`/api/v1/events?source=${R}&token=${R}`);
    expect(redactUrl("/ingest/vercel")).toBe("/ingest/vercel");
  });

  it("gives a URL with nothing to hide back as it was written", () => {
    for (const plain of [
      "http://127.0.0.1:8787",
      "https://example.com/a/../b",
      "/ingest/vercel",
      "http://h/?",
    ]) {
      expect(redactUrl(plain)).toBe(plain);
    }
  });

  it("hides text that is not a URL whole, and shows only the scheme of an opaque URL", () => {
    expect(redactUrl("not a url with secret")).toBe(R);
    expect(redactUrl("//example.com/x")).toBe(R);
    expect(redactUrl("mailto:alice@example.com")).toBe(`mailto:${R}`);
  });

  it("never lets a secret through, whatever the URL (property)", () => {
    const secret = "Zz9SECRETqQ7";
    const urls = [
      `https://u:${secret}@h.example/p`,
      `https://${secret}@h.example/p`,
      `https://h.example/p?x=${secret}`,
      `https://h.example/p?a=1&x=${encodeURIComponent(secret)}`,
      `https://h.example/p#${secret}`,
      `https://hooks.slack.com/services/T/B/${secret}`,
      `https://discord.com/api/webhooks/1/${secret}`,
      `https://x.webhook.office.com/webhookb2/${secret}/IncomingWebhook/a/b`,
      `https://api.telegram.org/bot${secret}/sendMessage`,
    ];
    for (const url of urls) expect(redactUrl(url)).not.toContain(secret);
  });
});

describe("redactUrlsIn", () => {
  it("redacts each URL in a message and keeps the rest, and the sentence's punctuation", () => {
    expect(
      redactUrlsIn(
        "connect to postgres://app:pw@db:5432/x failed; tried https://hooks.slack.com/services/T/B/tok.",
      ),
    ).toBe(`connect to postgres://${R}@db:5432/x failed; tried https://hooks.slack.com/services/T/B/${R}.`);
    expect(redactUrlsIn("no url here")).toBe("no url here");
  });
});

describe("secretsOfUrl", () => {
  it("lists what redactUrl hides, as written and decoded, longest first", () => {
    const secrets = secretsOfUrl(
      "https://al%40ice:p%20w@hooks.slack.com/services/T1/B2/tok3n?key=a%2Bb&flag#frag",
    );
    expect([...secrets].sort()).toEqual([
      "a%2Bb",
      "a+b",
      "al%40ice",
      "al@ice",
      "frag",
      "p w",
      "p%20w",
      "tok3n",
    ]);
    expect(secrets.map((s) => s.length)).toEqual([...secrets.map((s) => s.length)].sort((a, b) => b - a));
    expect(secretsOfUrl("https://example.com/plain/path")).toEqual([]);
    expect(secretsOfUrl("not a url")).toEqual(["not a url"]);
  });
});
