import { describe, expect, it } from "vitest";
import {
  classifyEvent,
  eventCatalog,
  getEventType,
  sampleEvent,
  sampleEventTypes,
} from "../../src/vercel/index.js";

const everySpelling = eventCatalog.flatMap((entry) => [entry.type, ...entry.aliases]);

describe("sampleEvent", () => {
  it.each(everySpelling)("builds a schema-valid %s that classifies cleanly", (type) => {
    const event = sampleEvent(type);
    const entry = getEventType(type);
    expect(entry?.schema.safeParse(event).error?.issues ?? []).toEqual([]);
    expect(classifyEvent(event)).toMatchObject({
      type,
      canonicalType: entry?.type,
      known: true,
      schemaIssues: [],
    });
  });

  it("uses the legacy envelope for legacy types", () => {
    const event = sampleEvent("deployment-ready");
    expect(event).toMatchObject({ type: "deployment-ready", teamId: expect.stringMatching(/^team_/) });
    expect(Object.keys(event)).toEqual(
      expect.arrayContaining(["clientId", "ownerId", "teamId", "userId", "webhookId", "region", "payload"]),
    );
    expect(Object.keys(sampleEvent("deployment.ready"))).not.toContain("webhookId");
  });

  it("uses realistic ids and urls", () => {
    const event = sampleEvent("deployment.created") as {
      payload: { deployment: { id: string; url: string }; project: { id: string }; team: { id: string } };
    };
    expect(event.payload.deployment.id).toMatch(/^dpl_[A-Za-z0-9]{28}$/);
    expect(event.payload.deployment.url).toMatch(/\.vercel\.app$/);
    expect(event.payload.project.id).toMatch(/^prj_/);
    expect(event.payload.team.id).toMatch(/^team_/);
    const action = sampleEvent("deployment.integration.action.start") as {
      payload: { installationId: string };
    };
    expect(action.payload.installationId).toMatch(/^icfg_/);
  });

  it("gives each sample a fresh delivery id unless one is given", () => {
    const first = sampleEvent("project.created") as { id: string; createdAt: number };
    const second = sampleEvent("project.created") as { id: string };
    expect(first.id).toMatch(/^evt_[A-Za-z0-9]{24}$/);
    expect(second.id).not.toBe(first.id);
    expect(Number.isInteger(first.createdAt)).toBe(true);
    expect(sampleEvent("project.created", { id: "evt_fixed", createdAt: 1709827200000 })).toMatchObject({
      id: "evt_fixed",
      createdAt: 1709827200000,
    });
  });

  it("keeps the spelling it was asked for", () => {
    expect(sampleEvent("domain.certificate.add")).toMatchObject({ type: "domain.certificate.add" });
    expect(sampleEvent("domain.certificate-add")).toMatchObject({ type: "domain.certificate-add" });
  });

  it("throws a clear error for an unknown type", () => {
    expect(() => sampleEvent("deployment.cancelled")).toThrow(
      /Unknown Vercel event type "deployment\.cancelled"/,
    );
  });

  it("lists the canonical types", () => {
    expect(sampleEventTypes()).toHaveLength(69);
    expect(sampleEventTypes()).not.toContain("domain.certificate.add");
  });
});
