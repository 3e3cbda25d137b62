/** Sample payloads for integration, Marketplace and test events. */
import {
  actor,
  CONFIGURATION_ID,
  isoDaysFrom,
  OTHER_PROJECT_ID,
  PROJECT_ID,
  PROJECT_NAME,
  RESOURCE_ID,
  type SampleContext,
  type SamplePayloadBuilders,
  TEAM_ID,
  USER_ID,
} from "./fixtures.js";

const installation = { configuration: { id: CONFIGURATION_ID }, installationId: CONFIGURATION_ID };

function invoice(ctx: SampleContext) {
  return {
    ...installation,
    invoiceId: "inv_Hq3wE6rT9yU2iO5pA8sD1fG4",
    externalInvoiceId: "INV-2025-0042",
    period: { start: isoDaysFrom(ctx, -31), end: isoDaysFrom(ctx, -1) },
  };
}

function invoiceWithTotal(ctx: SampleContext) {
  return { ...invoice(ctx), invoiceDate: isoDaysFrom(ctx, 0), invoiceTotal: "42.50" };
}

/** Payload builders for integration, Marketplace and test events. */
export const integrationSamples = {
  "integration-configuration.permission-upgraded": () => ({
    ...actor,
    configuration: {
      id: CONFIGURATION_ID,
      projectSelection: "selected",
      projects: [PROJECT_ID, OTHER_PROJECT_ID],
    },
    projects: { added: [OTHER_PROJECT_ID], removed: [] },
  }),
  "integration-configuration.removed": () => ({
    ...actor,
    configuration: { id: CONFIGURATION_ID, projectSelection: "all", projects: [] },
  }),
  "integration-configuration.scope-change-confirmed": () => ({
    ...actor,
    configuration: {
      id: CONFIGURATION_ID,
      scopes: ["read:project", "read-write:deployment", "read-write:log-drain"],
    },
  }),
  "integration-configuration.transferred": () => ({
    ...installation,
    previousTeamId: TEAM_ID,
    previousAccountId: TEAM_ID,
    newTeamId: "team_8aS2dF4gH6jK8lZ0xC2vB4nM",
    newAccountId: "team_8aS2dF4gH6jK8lZ0xC2vB4nM",
  }),
  "integration-resource.project-connected": () => ({
    ...installation,
    resourceId: RESOURCE_ID,
    project: { id: PROJECT_ID, name: PROJECT_NAME },
    projectId: PROJECT_ID,
    targets: ["production", "preview", "development"],
  }),
  "integration-resource.project-disconnected": () => ({
    ...installation,
    resourceId: RESOURCE_ID,
    project: { id: PROJECT_ID },
    projectId: PROJECT_ID,
    targets: ["production", "preview", "development"],
  }),
  "marketplace.invoice.created": invoiceWithTotal,
  "marketplace.invoice.paid": invoiceWithTotal,
  "marketplace.invoice.notpaid": invoiceWithTotal,
  "marketplace.invoice.overdue": invoiceWithTotal,
  "marketplace.invoice.refunded": (ctx) => ({
    ...invoice(ctx),
    amount: "12.00",
    reason: "Service outage credit",
  }),
  "marketplace.member.changed": () => ({
    ...installation,
    memberId: "mem_Pz6xC4vB2nM0qW8eR6tY4uI2",
    role: "ADMIN",
    globalUserId: USER_ID,
    userEmail: "jane.smith@acme-shop.com",
  }),
  "test-webhook": () => ({ ...actor, message: "This is a test event from Vercel." }),
} satisfies Partial<SamplePayloadBuilders>;
