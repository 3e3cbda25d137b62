/**
 * Native Marketplace events (seed L355–L402, reference §1.5): invoices and team membership.
 */
import { z } from "zod";
import { defineEvent } from "../define-event.js";
import { billingPeriod, installationFields } from "./shared.js";

const invoiceFields = {
  ...installationFields,
  invoiceId: z.string(),
  // Set by the integrator when it submitted the invoice, so possibly null.
  externalInvoiceId: z.string().nullable(),
  period: billingPeriod,
};

const invoicePayload = z.looseObject({
  ...invoiceFields,
  invoiceDate: z.string(),
  // A decimal number sent as a string.
  invoiceTotal: z.string(),
});

/** Marketplace event definitions, in catalog order. */
export const marketplaceEvents = [
  defineEvent({
    type: "marketplace.invoice.created",
    category: "marketplace",
    description: "A Marketplace invoice was created and sent to the customer.",
    payload: invoicePayload,
  }),
  defineEvent({
    type: "marketplace.invoice.paid",
    category: "marketplace",
    description: "A Marketplace invoice was paid.",
    payload: invoicePayload,
  }),
  defineEvent({
    type: "marketplace.invoice.notpaid",
    category: "marketplace",
    // The seed says "not paid after a grace period"; newer docs moved that meaning to `overdue`.
    description: "A Marketplace invoice was not paid (newer docs: its payment failed).",
    payload: invoicePayload,
  }),
  defineEvent({
    type: "marketplace.invoice.overdue",
    category: "marketplace",
    description: "A Marketplace invoice is still unpaid after the grace period.",
    // Undocumented; assumed to share the other invoice events' payload.
    payload: invoicePayload,
  }),
  defineEvent({
    type: "marketplace.invoice.refunded",
    category: "marketplace",
    description: "A Marketplace invoice was refunded.",
    payload: z.looseObject({
      ...invoiceFields,
      // A decimal number sent as a string.
      amount: z.string(),
      reason: z.string(),
    }),
  }),
  defineEvent({
    type: "marketplace.member.changed",
    category: "marketplace",
    description: "A team member's role for a Marketplace installation changed.",
    payload: z.looseObject({
      configuration: installationFields.configuration.optional(),
      installationId: installationFields.installationId.optional(),
      memberId: z.string(),
      role: z.enum(["ADMIN", "USER", "NONE"]),
      globalUserId: z.string(),
      userEmail: z.string(),
    }),
  }),
] as const;
