import { deserialize, serialize } from "node:v8";
import { describe, expect, it } from "vitest";
import type { RunCommand } from "../src/core/action-types.js";
import type { ClaimedDelivery } from "../src/core/delivery-types.js";
import type { IncomingEvent } from "../src/core/types.js";
import type { ClaimResult, DeliveryOutcome } from "../src/storage/port.js";
import {
  decodeClaim,
  decodeOutcomes,
  encodeClaim,
  encodeOutcomes,
  isClaimWire,
  packEvents,
  unpackEvents,
} from "../src/storage/sqlite/wire.js";
import { delivery, event, T } from "./storage/conformance/harness.js";

/** What a thread receives: a structured clone, as postMessage makes it. */
const cross = <V>(value: V): V => deserialize(serialize(value)) as V;

function claimed(n: number, body: Uint8Array, overrides: Partial<ClaimedDelivery> = {}): ClaimedDelivery {
  return {
    id: `dlv_${n}`,
    tenant: `tenant-${n}`,
    eventId: `evt_${n}`,
    eventType: `type.${n}`,
    source: `source-${n}`,
    destination: `dest-${n}`,
    route: `route-${n}`,
    attempts: n + 1,
    scheduleBase: n + 2,
    deadlineAt: T + n,
    trigger: "replay",
    body,
    leaseUntil: T + 60_000,
    ...overrides,
  };
}

/** An outcome with every field set, each to a value no other field has. */
function full(n: number): DeliveryOutcome {
  return {
    deliveryId: `dlv_${n}`,
    status: "pending",
    nextAttemptAt: T + n,
    lastStatus: 500 + n,
    lastError: `error ${n}`,
    transform: "failed",
    alert: event(T, { externalId: `alert-${n}`, body: Buffer.from(`alert body ${n}`) }),
    attempt: {
      number: n + 3,
      trigger: "manual",
      startedAt: T - n,
      durationMs: 17 + n,
      status: 503,
      error: "http_status",
      errorMessage: `message ${n}`,
      responseHeaders: { "retry-after": "30", "x-n": String(n) },
      responseBody: `body ${n}`,
      responseBodyEncoding: "base64",
    },
    destinationChange: {
      tenant: `tenant-${n}`,
      destination: `dest-${n}`,
      ok: false,
      at: T + 2 * n,
      disable: `gone ${n}`,
      circuit: { threshold: 7, baseCooldownMs: 1_000 + n, maxCooldownMs: 9_000 + n },
    },
  };
}

describe("the writer thread's flat messages", () => {
  it("carry a claim's deliveries across whole, each body its own bytes", () => {
    const bodies = [Buffer.alloc(0), Buffer.from("x"), Buffer.alloc(2048, 7), Buffer.from('{"a":1}')];
    const result: ClaimResult = {
      deliveries: bodies.map((b, i) => claimed(i, b, i === 1 ? { route: null, trigger: "initial" } : {})),
      held: [{ tenant: "t", destination: "held", until: T }],
      states: [],
    };
    const wire = encodeClaim(result);
    expect(isClaimWire(wire)).toBe(true);
    const crossed = cross(wire);
    const back = decodeClaim(crossed);
    expect(back.held).toEqual(result.held);
    expect(back.deliveries).toHaveLength(bodies.length);
    for (const [i, d] of back.deliveries.entries()) {
      const { body, ...rest } = result.deliveries[i] as ClaimedDelivery;
      expect(d).toEqual({ ...rest, body: expect.any(Uint8Array) });
      expect(Buffer.from(d.body).equals(body)).toBe(true);
      // A copy: a delivery still in flight keeps no other delivery's body alive.
      expect(d.body.buffer).not.toBe(crossed.bodies.buffer);
    }
  });

  it("carry an empty claim", () => {
    const back = decodeClaim(cross(encodeClaim({ deliveries: [], held: [], states: [] })));
    expect(back).toEqual({ deliveries: [], held: [], states: [] });
  });

  it("carry outcomes across whole: every field, and an outcome with no attempt or change beside one with both", () => {
    const bare: DeliveryOutcome = {
      deliveryId: "dlv_bare",
      status: "succeeded",
      nextAttemptAt: null,
      lastStatus: null,
      lastError: null,
      transform: null,
      alert: null,
      attempt: null,
      destinationChange: null,
    };
    const outcomes = [full(1), bare, full(2)];
    const back = decodeOutcomes(cross(encodeOutcomes(outcomes)));
    expect(back).toHaveLength(3);
    expect(back[1]).toEqual(bare);
    for (const i of [0, 2]) {
      const { alert, ...rest } = outcomes[i] as DeliveryOutcome;
      const { alert: got, ...gotRest } = back[i] as DeliveryOutcome;
      expect(gotRest).toEqual(rest);
      expect(got && { ...got, body: Buffer.from(got.body) }).toEqual(alert);
    }
  });

  it("carry a batch of events across whole: every field, their deliveries, and each body its own bytes", () => {
    const leased = delivery("b", T, {
      route: "shaped",
      lease: { owner: "node-1", until: T + 5 },
      trigger: "replay",
    });
    const events: IncomingEvent[] = [
      event(T, {
        externalId: "dpl_1",
        unknownType: true,
        schemaIssues: ["/a: must be string", "/b: required"],
        body: Buffer.from('{"id":"dpl_1"}'),
        deliveries: [delivery("a", T), leased],
        actions: [{ kind: "action", op: "start" } as unknown as RunCommand],
      }),
      event(T + 1, { body: Buffer.alloc(0) }),
      event(T + 2, {
        type: "x.y",
        originalType: "X.Y",
        body: Buffer.alloc(4096, 3),
        deliveries: [delivery("c", T)],
      }),
    ];
    const packed = packEvents(events);
    const back = unpackEvents(cross(packed));
    expect(back.events).toHaveLength(events.length);
    for (const [i, e] of events.entries()) {
      const { body, ...rest } = e;
      expect(back.events[i]).toEqual(rest);
      expect(Buffer.compare(back.bodies[i] as Buffer, body)).toBe(0);
    }
  });

  it("take an outcome without a transform as one that leaves it as recorded", () => {
    const { transform: _, ...without } = full(3);
    const [back] = decodeOutcomes(cross(encodeOutcomes([without])));
    expect(back?.transform).toBeNull();
  });
});
