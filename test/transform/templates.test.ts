import { describe, expect, it } from "vitest";
import { renderTemplate, TEMPLATE_NAMES, templates } from "../../src/transform/templates/index.js";
import { sampleEvent, sampleEventTypes } from "../../src/vercel/index.js";

const TYPES = sampleEventTypes();
const options = (name: keyof typeof templates) => templates[name].options.parse({});
const render = (name: keyof typeof templates, event: unknown) => renderTemplate(name, event, options(name));

type Json = Record<string, unknown>;
const text = (v: unknown) => (typeof v === "string" ? v : "");

/** What Slack's Block Kit accepts (https://api.slack.com/reference/block-kit/blocks). */
function expectSlackBlocks(message: Json) {
  expect(typeof message.text).toBe("string");
  const blocks = message.blocks as Json[];
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const b of blocks) {
    expect(["header", "section", "context", "divider", "actions"]).toContain(b.type);
    if (b.type === "header") {
      const t = b.text as Json;
      expect(t.type).toBe("plain_text");
      expect(text(t.text).length).toBeGreaterThan(0);
      expect(text(t.text).length).toBeLessThanOrEqual(150);
    }
    if (b.type === "section") {
      expect(b.text !== undefined || b.fields !== undefined).toBe(true);
      if (b.text) expect(text((b.text as Json).text).length).toBeLessThanOrEqual(3000);
      const fields = (b.fields ?? []) as Json[];
      expect(fields.length).toBeLessThanOrEqual(10);
      for (const f of fields) {
        expect(f.type).toBe("mrkdwn");
        expect(text(f.text).length).toBeGreaterThan(0);
        expect(text(f.text).length).toBeLessThanOrEqual(2000);
      }
    }
    if (b.type === "context") {
      const elements = b.elements as Json[];
      expect(elements.length).toBeGreaterThan(0);
      expect(elements.length).toBeLessThanOrEqual(10);
      for (const e of elements) expect(text(e.text).length).toBeLessThanOrEqual(3000);
    }
  }
}

/** What Discord's webhook accepts (https://discord.com/developers/docs/resources/message#embed-object-embed-limits). */
function expectDiscordEmbeds(message: Json) {
  const embeds = message.embeds as Json[];
  expect(embeds.length).toBeGreaterThan(0);
  expect(embeds.length).toBeLessThanOrEqual(10);
  for (const e of embeds) {
    const fields = (e.fields ?? []) as Json[];
    expect(text(e.title).length).toBeGreaterThan(0);
    expect(text(e.title).length).toBeLessThanOrEqual(256);
    expect(text(e.description).length).toBeLessThanOrEqual(4096);
    expect(fields.length).toBeLessThanOrEqual(25);
    let total = text(e.title).length + text(e.description).length + text((e.footer as Json).text).length;
    for (const f of fields) {
      expect(text(f.name).length).toBeGreaterThan(0);
      expect(text(f.name).length).toBeLessThanOrEqual(256);
      expect(text(f.value).length).toBeGreaterThan(0);
      expect(text(f.value).length).toBeLessThanOrEqual(1024);
      total += text(f.name).length + text(f.value).length;
    }
    expect(total).toBeLessThanOrEqual(6000);
    expect(Number.isInteger(e.color)).toBe(true);
    if (e.timestamp !== undefined) expect(Number.isNaN(Date.parse(text(e.timestamp)))).toBe(false);
  }
}

/** What a Teams incoming webhook accepts: a message carrying one Adaptive Card. */
function expectTeamsCard(message: Json) {
  expect(message.type).toBe("message");
  const attachments = message.attachments as Json[];
  expect(attachments).toHaveLength(1);
  expect(attachments[0]?.contentType).toBe("application/vnd.microsoft.card.adaptive");
  const card = attachments[0]?.content as Json;
  expect(card.type).toBe("AdaptiveCard");
  expect(card.version).toMatch(/^1\.\d$/);
  const body = card.body as Json[];
  expect(body.length).toBeGreaterThan(0);
  for (const element of body) {
    expect(["TextBlock", "FactSet"]).toContain(element.type);
    if (element.type === "TextBlock") expect(text(element.text).length).toBeGreaterThan(0);
    if (element.type === "FactSet") {
      for (const f of element.facts as Json[])
        expect(typeof f.title === "string" && typeof f.value === "string").toBe(true);
    }
  }
  for (const a of (card.actions ?? []) as Json[]) {
    expect(a.type).toBe("Action.OpenUrl");
    expect(text(a.url)).toMatch(/^https:\/\//);
  }
}

describe("every template renders every catalog sample", () => {
  const cases = TEMPLATE_NAMES.flatMap((name) => TYPES.map((type) => [name, type] as const));
  it.each(cases)("%s × %s", (name, type) => {
    const out = render(name, sampleEvent(type));
    expect(JSON.stringify(out).length).toBeGreaterThan(10);
    switch (name) {
      case "slack":
        return expectSlackBlocks(out as Json);
      case "slack-alert": {
        const a = ((out as Json).attachments as Json[])[0] as Json;
        expect(
          ["danger", "warning", "good"].includes(text(a.color)) || /^#[0-9a-f]{6}$/.test(text(a.color)),
        ).toBe(true);
        expect(text(a.title).length).toBeGreaterThan(0);
        expect(text(a.fallback).length).toBeGreaterThan(0);
        for (const f of a.fields as Json[])
          expect(typeof f.title === "string" && typeof f.value === "string").toBe(true);
        return;
      }
      case "discord":
        return expectDiscordEmbeds(out as Json);
      case "teams":
        return expectTeamsCard(out as Json);
      case "row":
        for (const v of Object.values(out as Json)) expect(v === null || typeof v !== "object").toBe(true);
        expect((out as Json).event_type).toBeTruthy();
        return;
      case "text":
        expect(typeof out).toBe("string");
        expect(out).not.toMatch(/\n/);
        return;
    }
  });
});

describe("templates", () => {
  it("slack: Hookbase's deployment layout (header, project/target/branch/author, commit, link)", () => {
    const event = sampleEvent("deployment.error") as { payload: { target: string } };
    event.payload.target = "production";
    const out = render("slack", event) as { blocks: Json[] };
    expect(out.blocks[0]).toMatchObject({ type: "header", text: { text: ":x: Deployment Failed" } });
    const fields = ((out.blocks[1]?.fields ?? []) as Json[]).map((f) => f.text);
    expect(fields.slice(0, 4)).toEqual([
      "*Project:*\nstorefront",
      "*Target:*\nproduction",
      "*Branch:*\nmain",
      "*Author:*\nJane Smith",
    ]);
    expect(out.blocks[2]).toMatchObject({ text: { text: "*Commit:* feat: add checkout page" } });
    expect(text(((out.blocks[3]?.elements ?? []) as Json[])[0]?.text)).toMatch(
      /^<https:\/\/vercel\.com\/.*\|View Deployment>/,
    );
  });

  it("slack-alert: a danger attachment titled with the project, as the seed's failed-deployment alert", () => {
    const out = render("slack-alert", sampleEvent("deployment.error")) as Json;
    expect(out).toMatchObject({ username: "Vercel Bot", icon_emoji: ":warning:" });
    const a = (out.attachments as Json[])[0] as Json;
    expect(a).toMatchObject({ color: "danger", title: "Deployment Failed: storefront" });
    expect((a.fields as Json[]).map((f) => f.title)).toEqual(
      expect.arrayContaining(["Branch", "Target", "Author"]),
    );
    expect(typeof a.ts).toBe("number");
  });

  it("row: the seed's Database Format columns, the same for every type", () => {
    const out = render("row", sampleEvent("deployment.succeeded")) as Json;
    expect(out).toMatchObject({
      event_type: "deployment.succeeded",
      project_name: "storefront",
      git_branch: "main",
      git_repo: "acme/storefront",
      target: "production",
    });
    expect(Object.keys(render("row", sampleEvent("domain.created")) as Json)).toEqual(Object.keys(out));
  });

  it("escapes Slack's control characters and cuts long text to the limits", () => {
    const event = sampleEvent("deployment.error") as { payload: { deployment: { meta: Json } } };
    event.payload.deployment.meta.githubCommitMessage = `<!channel> & ${"x".repeat(5000)}`;
    const out = render("slack", event) as { blocks: Json[] };
    const commit = text(((out.blocks[2]?.text ?? {}) as Json).text);
    expect(commit).toMatch(/^\*Commit:\* &lt;!channel&gt; &amp; x/);
    expect(commit.length).toBeLessThanOrEqual(3000);
    expectSlackBlocks(out as unknown as Json);
  });

  it("text: Switchyard's failed-delivery alert names the destination, the event's type and id, the attempts and the last answer", () => {
    const alert = {
      type: "switchyard.delivery.failed",
      payload: {
        deliveryId: "dlv_01HZX",
        eventId: "evt_01HZY",
        eventType: "deployment.error",
        source: "vercel",
        destination: "ops-hook",
        attempts: 8,
        lastStatus: 503,
        lastError: null,
      },
    };
    expect(render("text", alert)).toBe(
      "Delivery Failed: ops-hook gave up on deployment.error evt_01HZY after 8 attempts (last: HTTP 503)",
    );
    const timedOut = {
      ...alert,
      payload: { ...alert.payload, attempts: 1, lastStatus: null, lastError: "timeout" },
    };
    expect(render("text", timedOut)).toBe(
      "Delivery Failed: ops-hook gave up on deployment.error evt_01HZY after 1 attempt (last: timeout)",
    );
  });

  it("renders any JSON, not only Vercel's", () => {
    for (const name of TEMPLATE_NAMES) {
      expect(() => render(name, { hello: "world" })).not.toThrow();
      expect(() => render(name, null)).not.toThrow();
    }
  });
});
