import { describe, expect, it } from "vitest";
import { classifyEvent, sampleEvent } from "../../src/vercel/index.js";

function withPayload(
  type: string,
  edit: (payload: Record<string, unknown>) => void,
): Record<string, unknown> {
  const event = structuredClone(sampleEvent(type)) as Record<string, unknown>;
  edit(event.payload as Record<string, unknown>);
  return event;
}

describe("classifyEvent", () => {
  it("classifies a valid current event", () => {
    expect(classifyEvent(sampleEvent("deployment.created"))).toEqual({
      type: "deployment.created",
      canonicalType: "deployment.created",
      known: true,
      legacy: false,
      controlPlane: false,
      schemaIssues: [],
    });
  });

  it("flags legacy and control-plane events", () => {
    expect(classifyEvent(sampleEvent("deployment-ready"))).toMatchObject({
      known: true,
      legacy: true,
      controlPlane: false,
    });
    expect(classifyEvent(sampleEvent("integration-configuration.removed"))).toMatchObject({
      legacy: false,
      controlPlane: true,
      schemaIssues: [],
    });
    expect(classifyEvent(sampleEvent("integration-configuration-removed"))).toMatchObject({
      legacy: true,
      controlPlane: true,
      schemaIssues: [],
    });
  });

  it("reports an unknown type as unknown, without schema issues", () => {
    const body = { type: "firewall.attack", id: "evt_1", createdAt: 1, payload: 42 };
    expect(classifyEvent(body)).toEqual({
      type: "firewall.attack",
      canonicalType: "firewall.attack",
      known: false,
      legacy: false,
      controlPlane: false,
      schemaIssues: [],
    });
  });

  it.each([null, undefined, 42, "deployment.created", [], {}, { type: 7 }, { type: null }])(
    "treats %j as an event without a type",
    (body) => {
      expect(classifyEvent(body)).toMatchObject({
        type: "",
        canonicalType: "",
        known: false,
        schemaIssues: [],
      });
    },
  );

  it("lists readable issues when a known type does not match its schema", () => {
    const body = withPayload("deployment.created", (payload) => {
      delete (payload.deployment as Record<string, unknown>).id;
      payload.regions = "iad1";
    });
    const result = classifyEvent(body);
    expect(result.known).toBe(true);
    expect(result.schemaIssues).toContain("payload.deployment.id: expected string, received undefined");
    expect(result.schemaIssues).toContain("payload.regions: expected array, received string");
  });

  it("reports array positions and enum values in issues", () => {
    const body = sampleEvent("deployment-checks-completed") as {
      payload: { checks: Record<string, unknown>[] };
    };
    const check = body.payload.checks[0];
    if (check === undefined) throw new Error("sample has a check");
    check.status = "done";
    const [issue] = classifyEvent(body).schemaIssues;
    expect(issue).toMatch(/^payload\.checks\[0\]\.status: expected one of/);
  });

  it("reports envelope issues and legacy envelope fields", () => {
    const body = { ...sampleEvent("project-created"), createdAt: "2025-01-01", webhookId: undefined };
    expect(classifyEvent(body).schemaIssues).toEqual([
      "createdAt: expected number, received string",
      "webhookId: expected string, received undefined",
    ]);
  });

  it("caps the issue list", () => {
    const result = classifyEvent({ type: "deployment.created", payload: { deployment: {}, links: 1 } });
    expect(result.schemaIssues).toHaveLength(10);
    expect(result.schemaIssues.at(-1)).toMatch(/^…and \d+ more issues$/);
  });

  it("accepts null where the docs allow it and extra fields anywhere", () => {
    const body = withPayload("deployment.succeeded", (payload) => {
      payload.target = null;
      payload.team = { id: null };
      payload.somethingNew = { nested: true };
      (payload.deployment as Record<string, unknown>).readyState = "READY";
    });
    expect(classifyEvent({ ...body, region: null, extra: 1 }).schemaIssues).toEqual([]);
  });

  it("rejects null where the docs do not allow it", () => {
    const body = withPayload("domain.created", (payload) => {
      payload.domain = { name: null, delegated: false };
    });
    expect(classifyEvent(body).schemaIssues).toEqual(["payload.domain.name: expected string, received null"]);
  });

  it("never throws, even on hostile input", () => {
    const hostile = {
      type: "deployment.created",
      get payload(): never {
        throw new Error("boom");
      },
    };
    const result = classifyEvent(hostile);
    expect(result.known).toBe(true);
    expect(result.schemaIssues.length).toBeGreaterThan(0);
  });
});
