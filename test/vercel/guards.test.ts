import { describe, expect, expectTypeOf, it } from "vitest";
import {
  eventCatalog,
  isVercelEvent,
  sampleEvent,
  typeGuards,
  type VercelEvent,
  type VercelEventOf,
} from "../../src/vercel/index.js";

describe("type guards", () => {
  it("narrows to the event type", () => {
    const event: unknown = sampleEvent("deployment.created");
    if (!isVercelEvent(event, "deployment.created")) throw new Error("expected a deployment.created event");
    expectTypeOf(event).toEqualTypeOf<VercelEventOf<"deployment.created">>();
    expectTypeOf(event.payload.deployment.id).toBeString();
    expectTypeOf(event.payload.team.id).toEqualTypeOf<string | null>();
    expect(event.payload.alias.length).toBeGreaterThan(0);
  });

  it("accepts every spelling of the type", () => {
    const event: unknown = sampleEvent("project.domain.moved");
    expect(isVercelEvent(event, "project.domain-moved")).toBe(true);
    if (isVercelEvent(event, "project.domain-moved")) {
      expectTypeOf(event.type).toEqualTypeOf<"project.domain-moved" | "project.domain.moved">();
      expect(event.payload.to.projectId).toMatch(/^prj_/);
    }
  });

  it("rejects other types, legacy look-alikes and schema mismatches", () => {
    expect(isVercelEvent(sampleEvent("deployment.ready"), "deployment.created")).toBe(false);
    expect(isVercelEvent(sampleEvent("deployment-ready"), "deployment.ready")).toBe(false);
    const broken = { ...sampleEvent("deployment.created"), createdAt: "yesterday" };
    expect(isVercelEvent(broken, "deployment.created")).toBe(false);
    expect(isVercelEvent(null, "deployment.created")).toBe(false);
    expect(isVercelEvent({ type: "firewall.attack" }, "deployment.created")).toBe(false);
  });

  it("has a guard for every catalog type", () => {
    expect(Object.keys(typeGuards).sort()).toEqual(eventCatalog.map((entry) => entry.type).sort());
    for (const { type } of eventCatalog) {
      expect(typeGuards[type](sampleEvent(type)), type).toBe(true);
      expect(typeGuards[type]({ type }), type).toBe(false);
    }
  });

  it("narrows with typeGuards and discriminates the VercelEvent union", () => {
    const event: unknown = sampleEvent("marketplace.invoice.paid");
    if (typeGuards["marketplace.invoice.paid"](event)) {
      expectTypeOf(event.payload.invoiceTotal).toBeString();
      expectTypeOf(event.payload.externalInvoiceId).toEqualTypeOf<string | null>();
    }
    const describeEvent = (e: VercelEvent): string => {
      switch (e.type) {
        case "domain.renewal":
          return e.payload.price;
        case "deployment-ready":
          return e.webhookId;
        default:
          return e.type;
      }
    };
    expect(describeEvent(sampleEvent("domain.renewal") as VercelEvent)).toBe("20.00");
  });
});
