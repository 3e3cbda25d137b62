import { describe, expect, it } from "vitest";
import { eventCatalog, eventSchemas, getEventType, sampleEventTypes } from "../../src/vercel/index.js";

// Reference §1.2, in the seed's order: the 44 current event types.
const CURRENT_TYPES = [
  "deployment.canceled",
  "deployment.check-rerequested",
  "deployment.created",
  "deployment.error",
  "deployment.integration.action.cancel",
  "deployment.integration.action.cleanup",
  "deployment.integration.action.start",
  "deployment.promoted",
  "deployment.ready",
  "deployment.succeeded",
  "domain.created",
  "domain.auto-renew-changed",
  "domain.certificate-add",
  "domain.certificate-add-failed",
  "domain.certificate-deleted",
  "domain.certificate-renew",
  "domain.certificate-renew-failed",
  "domain.dns-records-changed",
  "domain.renewal",
  "domain.renewal-failed",
  "domain.transfer-in-completed",
  "domain.transfer-in-failed",
  "domain.transfer-in-started",
  "project.domain-created",
  "project.domain-deleted",
  "project.domain-moved",
  "project.domain-unverified",
  "project.domain-updated",
  "project.domain-verified",
  "integration-configuration.permission-upgraded",
  "integration-configuration.removed",
  "integration-configuration.scope-change-confirmed",
  "integration-resource.project-connected",
  "integration-resource.project-disconnected",
  "marketplace.invoice.created",
  "marketplace.invoice.notpaid",
  "marketplace.invoice.paid",
  "marketplace.invoice.refunded",
  "project.created",
  "project.removed",
  "project.rolling-release.approved",
  "project.rolling-release.completed",
  "project.rolling-release.aborted",
  "project.rolling-release.started",
];

// Reference §1.3: the 13 legacy event types and what replaced them.
const LEGACY_TYPES: Record<string, string> = {
  deployment: "deployment.created",
  "deployment-ready": "deployment.succeeded",
  "deployment-prepared": "deployment.ready",
  "deployment-canceled": "deployment.canceled",
  "deployment-error": "deployment.error",
  "deployment-check-rerequested": "deployment.check-rerequested",
  "deployment-checks-completed": "deployment.succeeded",
  "project-created": "project.created",
  "project-removed": "project.removed",
  "integration-configuration-removed": "integration-configuration.removed",
  "integration-configuration-permission-updated": "integration-configuration.permission-upgraded",
  "integration-configuration-scope-change-confirmed": "integration-configuration.scope-change-confirmed",
  "domain-created": "domain.created",
};

// Reference §1.5: types from the OpenAPI enum that the seed does not list.
const OPENAPI_ONLY_TYPES = [
  "deployment.cleanup",
  "deployment.rollback",
  "deployment.checkrun.start",
  "deployment.checkrun.cancel",
  "deployment.checks.failed",
  "deployment.checks.succeeded",
  "deployment.build-requested",
  "deployment.blocked",
  "integration-configuration.transferred",
  "marketplace.member.changed",
  "marketplace.invoice.overdue",
  "test-webhook",
];

const canonicalNames = eventCatalog.map((entry) => entry.type);

describe("event catalog", () => {
  it("has the 44 current types of §1.2, all current and canonical", () => {
    expect(CURRENT_TYPES).toHaveLength(44);
    for (const type of CURRENT_TYPES) {
      const entry = getEventType(type);
      expect(entry?.type, type).toBe(type);
      expect(entry?.legacy, type).toBe(false);
    }
  });

  it("has the 13 legacy types of §1.3, with their replacements", () => {
    expect(Object.keys(LEGACY_TYPES)).toHaveLength(13);
    for (const [type, replacement] of Object.entries(LEGACY_TYPES)) {
      const entry = getEventType(type);
      expect(entry?.type, type).toBe(type);
      expect(entry?.legacy, type).toBe(true);
      expect(entry?.replacedBy, type).toBe(replacement);
    }
  });

  it("has the §1.5 OpenAPI-only types", () => {
    for (const type of OPENAPI_ONLY_TYPES) expect(getEventType(type)?.legacy, type).toBe(false);
  });

  it("holds exactly those types, each once", () => {
    const expected = [...CURRENT_TYPES, ...Object.keys(LEGACY_TYPES), ...OPENAPI_ONLY_TYPES];
    expect(canonicalNames).toHaveLength(69);
    expect(new Set(canonicalNames).size).toBe(canonicalNames.length);
    expect([...canonicalNames].sort()).toEqual([...expected].sort());
    expect(sampleEventTypes()).toEqual(canonicalNames);
  });

  it("marks only integration-configuration events as control plane", () => {
    const controlPlane = eventCatalog.filter((entry) => entry.controlPlane).map((entry) => entry.type);
    expect(controlPlane.sort()).toEqual(
      [
        "integration-configuration.permission-upgraded",
        "integration-configuration.removed",
        "integration-configuration.scope-change-confirmed",
        "integration-configuration.transferred",
        "integration-configuration-removed",
        "integration-configuration-permission-updated",
        "integration-configuration-scope-change-confirmed",
      ].sort(),
    );
  });

  it("gives every entry a one-line description, a category and a schema", () => {
    for (const entry of eventCatalog) {
      expect(entry.description, entry.type).toMatch(/^[^\n]{10,120}$/);
      expect(entry.category, entry.type).not.toBe("");
      expect(eventSchemas[entry.type], entry.type).toBe(entry.schema);
    }
  });

  it("points every replacedBy at a current catalog type", () => {
    for (const entry of eventCatalog.filter((e) => e.replacedBy !== undefined)) {
      expect(entry.legacy).toBe(true);
      expect(getEventType(entry.replacedBy ?? "")?.legacy, entry.type).toBe(false);
    }
  });

  it("lists aliases that are not themselves canonical names", () => {
    const aliases = eventCatalog.flatMap((entry) => entry.aliases);
    expect(aliases).toHaveLength(17);
    for (const alias of aliases) expect(canonicalNames).not.toContain(alias);
  });

  it("looks entries up by alias and returns undefined for unknown names", () => {
    expect(getEventType("project.domain.created")?.type).toBe("project.domain-created");
    expect(getEventType("deployment.cancelled")).toBeUndefined();
    expect(getEventType("constructor")).toBeUndefined();
  });

  it("is frozen", () => {
    expect(Object.isFrozen(eventCatalog)).toBe(true);
    expect(Object.isFrozen(eventCatalog[0])).toBe(true);
  });
});
