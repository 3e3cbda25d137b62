/**
 * `switchyard/vercel`: the Vercel webhook event catalog (schemas, types and metadata for every
 * event type), spelling normalisation, classification, type guards, signature helpers and samples.
 */

export { signVercelBody, verifyVercelSignature } from "../signatures/vercel.js";
export {
  type EventCatalogEntry,
  eventCatalog,
  eventSchemas,
  type VercelEvent,
  type VercelEventOf,
  type VercelEventSchemas,
  type VercelEventType,
} from "./catalog.js";
export { classifyEvent, type EventClassification } from "./classify.js";
export {
  currentEnvelope,
  currentEnvelopeSchema,
  type EventCategory,
  legacyEnvelope,
  legacyEnvelopeSchema,
} from "./define-event.js";
export { isVercelEvent, typeGuards, type VercelEventGuards } from "./guards.js";
export { getEventType, normalizeEventType } from "./lookup.js";
export { type SampleEventOptions, sampleEvent, sampleEventTypes } from "./samples.js";
