/**
 * Domain events (seed L149–L247). The docs spell them with hyphens, which we keep as canonical;
 * the OpenAPI's dotted spellings (reference §1.4) are listed as aliases.
 */
import { z } from "zod";
import { defineEvent } from "../define-event.js";
import { actorFields, looseDate } from "./shared.js";

const namedDomain = z.looseObject({ name: z.string() });
const domainNamePayload = z.looseObject({ ...actorFields, domain: namedDomain });
// The seed types `cert` only as "Object".
const certificatePayload = z.looseObject({ ...actorFields, cert: z.looseObject({}) });
const failedCertificatePayload = z.looseObject({ ...actorFields, dnsNames: z.array(z.string()) });

/** Domain event definitions, in catalog order. */
export const domainEvents = [
  defineEvent({
    type: "domain.created",
    category: "domain",
    description: "A domain was created.",
    payload: z.looseObject({
      ...actorFields,
      domain: z.looseObject({ name: z.string(), delegated: z.boolean() }),
    }),
  }),
  defineEvent({
    type: "domain.auto-renew-changed",
    aliases: ["domain.auto-renew.changed"],
    category: "domain",
    description: "A domain's auto-renewal setting changed.",
    payload: z.looseObject({
      ...actorFields,
      domain: namedDomain,
      previous: z.boolean(),
      next: z.boolean(),
    }),
  }),
  defineEvent({
    type: "domain.certificate-add",
    aliases: ["domain.certificate.add"],
    category: "domain",
    description: "An SSL certificate was added for a domain.",
    payload: certificatePayload,
  }),
  defineEvent({
    type: "domain.certificate-add-failed",
    aliases: ["domain.certificate.add.failed"],
    category: "domain",
    description: "Adding an SSL certificate for a domain failed.",
    payload: failedCertificatePayload,
  }),
  defineEvent({
    type: "domain.certificate-deleted",
    aliases: ["domain.certificate.deleted"],
    category: "domain",
    description: "An SSL certificate was deleted for a domain.",
    payload: certificatePayload,
  }),
  defineEvent({
    type: "domain.certificate-renew",
    aliases: ["domain.certificate.renew"],
    category: "domain",
    description: "An SSL certificate was renewed for a domain.",
    payload: certificatePayload,
  }),
  defineEvent({
    type: "domain.certificate-renew-failed",
    aliases: ["domain.certificate.renew.failed"],
    category: "domain",
    description: "Renewing an SSL certificate for a domain failed.",
    payload: failedCertificatePayload,
  }),
  defineEvent({
    type: "domain.dns-records-changed",
    aliases: ["domain.dns.records.changed"],
    category: "domain",
    description: "DNS records of a domain were modified.",
    // The seed does not describe the items of `changes`.
    payload: z.looseObject({ ...actorFields, zone: z.string(), changes: z.array(z.unknown()) }),
  }),
  defineEvent({
    type: "domain.renewal",
    category: "domain",
    description: "A domain was renewed.",
    payload: z.looseObject({
      ...actorFields,
      domain: namedDomain,
      // A decimal number sent as a string, so no precision is lost.
      price: z.string(),
      expirationDate: looseDate,
      renewedAt: looseDate,
    }),
  }),
  defineEvent({
    type: "domain.renewal-failed",
    aliases: ["domain.renewal.failed"],
    category: "domain",
    description: "A domain renewal failed.",
    payload: z.looseObject({
      ...actorFields,
      domain: namedDomain,
      errorReason: z.string(),
      failedAt: looseDate,
    }),
  }),
  defineEvent({
    type: "domain.transfer-in-completed",
    aliases: ["domain.transfer-in.completed"],
    category: "domain",
    description: "A domain transfer into Vercel completed.",
    payload: domainNamePayload,
  }),
  defineEvent({
    type: "domain.transfer-in-failed",
    aliases: ["domain.transfer-in.failed"],
    category: "domain",
    description: "A domain transfer into Vercel failed.",
    payload: domainNamePayload,
  }),
  defineEvent({
    type: "domain.transfer-in-started",
    aliases: ["domain.transfer-in.started"],
    category: "domain",
    description: "A domain transfer into Vercel started.",
    payload: domainNamePayload,
  }),
] as const;
