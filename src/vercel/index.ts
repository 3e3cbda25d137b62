/**
 * `switchyard/vercel`: the Vercel webhook event catalog (schemas, types and metadata for every
 * event type), spelling normalisation, classification, type guards and samples, and webhook
 * verification on Web APIs. Nothing here imports a node: module, so the entry runs on edge
 * runtimes too; the synchronous node:crypto signature helpers are in `switchyard/vercel/node`.
 */

export { signVercelPayload, verifyVercelPayloadSignature } from "../signatures/vercel-webcrypto.js";
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
export {
  type VercelWebhookSecrets,
  type VerifyOptions,
  verifyVercelPayload,
  verifyVercelWebhook,
} from "./verify-webhook.js";
export {
  isVercelWebhookError,
  VercelWebhookError,
  type VercelWebhookErrorCode,
  WEBHOOK_ERROR_STATUS,
} from "./webhook-errors.js";
