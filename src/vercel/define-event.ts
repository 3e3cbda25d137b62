/**
 * Building blocks for the event catalog: the two envelope shapes Vercel sends and the helpers that
 * turn one catalog row (name, metadata, payload schema) into a definition with its whole-envelope schema.
 *
 * Glossary:
 * - canonical name: the spelling the docs use (hyphens in the last segment, e.g. `domain.certificate-add`).
 * - alias: another spelling Vercel publishes for the same event (the OpenAPI's dotted one, §1.4).
 * - legacy type: a deprecated name (`deployment-ready`) that Vercel still delivers to old webhooks,
 *   in the legacy envelope. It is its own type, never an alias of its replacement.
 * - control plane: events about the integration installation itself (`integration-configuration*`).
 */
import { z } from "zod";

/** Families used to group event types, e.g. for routing rules and dashboards. */
export type EventCategory =
  | "deployment"
  | "check"
  | "deployment-action"
  | "domain"
  | "project"
  | "project-domain"
  | "rolling-release"
  | "integration"
  | "marketplace"
  | "test";

/** The current envelope (reference §1.1) around `payload`; `type` accepts every spelling of the event. */
export function currentEnvelope<const T extends readonly [string, ...string[]], P extends z.ZodType>(
  types: T,
  payload: P,
) {
  return z.looseObject({
    type: z.literal(types),
    id: z.string(),
    // Epoch milliseconds in practice, although the seed table says "Date".
    createdAt: z.number(),
    region: z.string().nullable(),
    payload,
  });
}

/** The legacy envelope (reference §1.3), used only by the deprecated event names. */
export function legacyEnvelope<const T extends string, P extends z.ZodType>(type: T, payload: P) {
  return z.looseObject({
    type: z.literal(type),
    id: z.string(),
    createdAt: z.number(),
    region: z.string().nullable(),
    clientId: z.string(),
    ownerId: z.string(),
    teamId: z.string().nullable(),
    userId: z.string(),
    webhookId: z.string(),
    payload,
  });
}

/** Any current-envelope event, whatever its type: useful before the type is known. */
export const currentEnvelopeSchema = z.looseObject({
  type: z.string(),
  id: z.string(),
  createdAt: z.number(),
  region: z.string().nullable(),
  payload: z.looseObject({}),
});

/** Any legacy-envelope event, whatever its type. */
export const legacyEnvelopeSchema = z.looseObject({
  type: z.string(),
  id: z.string(),
  createdAt: z.number(),
  region: z.string().nullable(),
  clientId: z.string(),
  ownerId: z.string(),
  teamId: z.string().nullable(),
  userId: z.string(),
  webhookId: z.string(),
  payload: z.looseObject({}),
});

// Derived from the name so the rule lives in one place; it covers the dotted current names and
// the three hyphenated legacy ones alike.
function isControlPlane(type: string): boolean {
  return type.startsWith("integration-configuration");
}

interface CurrentEventSpec<T extends string, A extends readonly string[], P extends z.ZodType> {
  readonly type: T;
  readonly aliases?: A;
  readonly category: EventCategory;
  readonly description: string;
  readonly payload: P;
}

/** Defines a current event type: metadata plus the schema of its whole envelope. */
export function defineEvent<
  const T extends string,
  P extends z.ZodType,
  const A extends readonly string[] = readonly [],
>(spec: CurrentEventSpec<T, A, P>) {
  const aliases = (spec.aliases ?? []) as unknown as A;
  return {
    type: spec.type,
    aliases,
    category: spec.category,
    legacy: false,
    description: spec.description,
    controlPlane: isControlPlane(spec.type),
    schema: currentEnvelope([spec.type, ...aliases] as const, spec.payload),
  };
}

interface LegacyEventSpec<T extends string, P extends z.ZodType> {
  readonly type: T;
  readonly replacedBy?: string;
  readonly category: EventCategory;
  readonly description: string;
  readonly payload: P;
}

/** Defines a legacy (deprecated) event type, which travels in the legacy envelope. */
export function defineLegacyEvent<const T extends string, P extends z.ZodType>(spec: LegacyEventSpec<T, P>) {
  return {
    type: spec.type,
    aliases: [] as readonly string[],
    category: spec.category,
    legacy: true,
    ...(spec.replacedBy === undefined ? {} : { replacedBy: spec.replacedBy }),
    description: spec.description,
    controlPlane: isControlPlane(spec.type),
    schema: legacyEnvelope(spec.type, spec.payload),
  };
}
