/**
 * The event catalog: every Vercel webhook event type Switchyard knows, with its metadata and the
 * zod schema of its whole envelope, and the TypeScript types inferred from those schemas.
 */
import type { z } from "zod";
import type { EventCategory } from "./define-event.js";
import { checkEvents } from "./schemas/checks.js";
import { deploymentEvents } from "./schemas/deployment.js";
import { deploymentActionEvents } from "./schemas/deployment-action.js";
import { domainEvents } from "./schemas/domain.js";
import { integrationEvents } from "./schemas/integration.js";
import { legacyEvents } from "./schemas/legacy.js";
import { marketplaceEvents } from "./schemas/marketplace.js";
import { projectEvents } from "./schemas/project.js";
import { rollingReleaseEvents } from "./schemas/rolling-release.js";
import { testEvents } from "./schemas/test-webhook.js";

const definitions: readonly Definition[] = [
  ...deploymentEvents,
  ...checkEvents,
  ...deploymentActionEvents,
  ...domainEvents,
  ...projectEvents,
  ...rollingReleaseEvents,
  ...integrationEvents,
  ...marketplaceEvents,
  ...testEvents,
  ...legacyEvents,
];

// Spelled out from the family modules (rather than `typeof definitions`) so the emitted .d.ts
// refers to them instead of inlining every schema type.
type Definition =
  | (typeof deploymentEvents)[number]
  | (typeof checkEvents)[number]
  | (typeof deploymentActionEvents)[number]
  | (typeof domainEvents)[number]
  | (typeof projectEvents)[number]
  | (typeof rollingReleaseEvents)[number]
  | (typeof integrationEvents)[number]
  | (typeof marketplaceEvents)[number]
  | (typeof testEvents)[number]
  | (typeof legacyEvents)[number];

/** Canonical name of every known event type (current, legacy and OpenAPI-only). */
export type VercelEventType = Definition["type"];

/** The zod schema of each event type's whole envelope, by canonical name. */
export type VercelEventSchemas = { [D in Definition as D["type"]]: D["schema"] };

/** A parsed event of type `T`; its `type` field is any spelling of `T`. */
export type VercelEventOf<T extends VercelEventType> = z.infer<VercelEventSchemas[T]>;

/** Any known Vercel event, discriminated by `type`. */
export type VercelEvent = { [T in VercelEventType]: VercelEventOf<T> }[VercelEventType];

/** Metadata and schema for one event type. */
export interface EventCatalogEntry<T extends VercelEventType = VercelEventType> {
  /** Canonical name (the docs' spelling). */
  readonly type: T;
  /** Other spellings Vercel publishes for the same event. */
  readonly aliases: readonly string[];
  readonly category: EventCategory;
  /** True for deprecated names delivered in the legacy envelope. */
  readonly legacy: boolean;
  /** For legacy types: the current type to subscribe to instead. */
  readonly replacedBy?: string;
  /** One line describing when the event fires. */
  readonly description: string;
  /** True for events about the integration installation itself (`integration-configuration*`). */
  readonly controlPlane: boolean;
  /** Schema of the whole envelope. */
  readonly schema: z.ZodType<VercelEventOf<T>>;
}

/** Every known event type, in a stable order: current families first, legacy types last. */
export const eventCatalog: readonly EventCatalogEntry[] = Object.freeze(
  definitions.map((definition) => Object.freeze(definition) as EventCatalogEntry),
);

/** Whole-envelope schema of every event type, by canonical name. */
export const eventSchemas: Readonly<VercelEventSchemas> = Object.freeze(
  Object.fromEntries(definitions.map((definition) => [definition.type, definition.schema])),
) as VercelEventSchemas;
