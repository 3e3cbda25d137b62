import { describe, expect, it } from "vitest";
import { classifyEvent, normalizeEventType, sampleEvent } from "../../src/vercel/index.js";

// Reference §1.4: the docs' hyphen spelling (canonical) and the OpenAPI's dotted one.
const SPELLING_PAIRS: [canonical: string, dotted: string][] = [
  ["domain.auto-renew-changed", "domain.auto-renew.changed"],
  ["domain.certificate-add", "domain.certificate.add"],
  ["domain.certificate-add-failed", "domain.certificate.add.failed"],
  ["domain.certificate-deleted", "domain.certificate.deleted"],
  ["domain.certificate-renew", "domain.certificate.renew"],
  ["domain.certificate-renew-failed", "domain.certificate.renew.failed"],
  ["domain.dns-records-changed", "domain.dns.records.changed"],
  ["domain.renewal-failed", "domain.renewal.failed"],
  ["domain.transfer-in-completed", "domain.transfer-in.completed"],
  ["domain.transfer-in-failed", "domain.transfer-in.failed"],
  ["domain.transfer-in-started", "domain.transfer-in.started"],
  ["project.domain-created", "project.domain.created"],
  ["project.domain-deleted", "project.domain.deleted"],
  ["project.domain-moved", "project.domain.moved"],
  ["project.domain-unverified", "project.domain.unverified"],
  ["project.domain-updated", "project.domain.updated"],
  ["project.domain-verified", "project.domain.verified"],
];

describe("normalizeEventType", () => {
  it.each(SPELLING_PAIRS)("maps %s and %s to the same canonical name", (canonical, dotted) => {
    expect(normalizeEventType(canonical)).toEqual({ canonical, known: true });
    expect(normalizeEventType(dotted)).toEqual({ canonical, known: true });
  });

  it.each(SPELLING_PAIRS)("classifies samples of %s and %s cleanly", (canonical, dotted) => {
    for (const spelling of [canonical, dotted]) {
      const result = classifyEvent(sampleEvent(spelling));
      expect(result).toMatchObject({
        type: spelling,
        canonicalType: canonical,
        known: true,
        schemaIssues: [],
      });
    }
  });

  it("keeps legacy names as their own types", () => {
    expect(normalizeEventType("deployment-ready")).toEqual({ canonical: "deployment-ready", known: true });
    expect(normalizeEventType("deployment.ready")).toEqual({ canonical: "deployment.ready", known: true });
    expect(normalizeEventType("deployment")).toEqual({ canonical: "deployment", known: true });
    expect(normalizeEventType("domain-created")).toEqual({ canonical: "domain-created", known: true });
    expect(normalizeEventType("project-created")).toEqual({ canonical: "project-created", known: true });
  });

  it("returns unknown names unchanged", () => {
    expect(normalizeEventType("firewall.attack")).toEqual({ canonical: "firewall.attack", known: false });
    expect(normalizeEventType("deployment.cancelled")).toEqual({
      canonical: "deployment.cancelled",
      known: false,
    });
    expect(normalizeEventType("")).toEqual({ canonical: "", known: false });
    expect(normalizeEventType("__proto__")).toEqual({ canonical: "__proto__", known: false });
    expect(normalizeEventType("Deployment.Created")).toEqual({
      canonical: "Deployment.Created",
      known: false,
    });
  });
});
