/** Sample payloads for domain and project-domain events. */
import {
  actor,
  DOMAIN,
  isoDaysFrom,
  OTHER_PROJECT_ID,
  PROJECT_ID,
  type SamplePayloadBuilders,
} from "./fixtures.js";

const domain = { name: DOMAIN };

function certificate(createdAt: number) {
  return {
    cert: {
      id: "cert_Zx9cV7bN5mA3sD1fG8hJ6kL4",
      cns: [DOMAIN, `www.${DOMAIN}`],
      autoRenew: true,
      createdAt,
      expiresAt: createdAt + 90 * 86_400_000,
    },
  };
}

const projectDomain = { ...actor, project: { id: PROJECT_ID }, domain: { name: `shop.${DOMAIN}` } };

/** Payload builders for domain and project-domain events. */
export const domainSamples = {
  "domain.created": () => ({ ...actor, domain: { name: DOMAIN, delegated: false } }),
  "domain.auto-renew-changed": () => ({ ...actor, domain, previous: true, next: false }),
  "domain.certificate-add": (ctx) => ({ ...actor, ...certificate(ctx.createdAt) }),
  "domain.certificate-add-failed": () => ({ ...actor, dnsNames: [DOMAIN, `www.${DOMAIN}`] }),
  "domain.certificate-deleted": (ctx) => ({ ...actor, ...certificate(ctx.createdAt - 60 * 86_400_000) }),
  "domain.certificate-renew": (ctx) => ({ ...actor, ...certificate(ctx.createdAt) }),
  "domain.certificate-renew-failed": () => ({ ...actor, dnsNames: [DOMAIN] }),
  "domain.dns-records-changed": () => ({
    ...actor,
    zone: DOMAIN,
    changes: [
      { action: "created", type: "A", name: "api", value: "76.76.21.21", ttl: 60 },
      { action: "deleted", type: "CNAME", name: "old", value: "cname.vercel-dns.com" },
    ],
  }),
  "domain.renewal": (ctx) => ({
    ...actor,
    domain,
    price: "20.00",
    expirationDate: isoDaysFrom(ctx, 365),
    renewedAt: isoDaysFrom(ctx, 0),
  }),
  "domain.renewal-failed": (ctx) => ({
    ...actor,
    domain,
    errorReason: "The payment method on file was declined.",
    failedAt: isoDaysFrom(ctx, 0),
  }),
  "domain.transfer-in-completed": () => ({ ...actor, domain }),
  "domain.transfer-in-failed": () => ({ ...actor, domain }),
  "domain.transfer-in-started": () => ({ ...actor, domain }),
  "project.domain-created": () => projectDomain,
  "project.domain-deleted": () => projectDomain,
  "project.domain-moved": () => ({
    ...actor,
    domain: { name: `shop.${DOMAIN}` },
    from: { projectId: PROJECT_ID },
    to: { projectId: OTHER_PROJECT_ID },
    isRedirect: false,
  }),
  "project.domain-unverified": () => projectDomain,
  "project.domain-updated": () => ({
    ...actor,
    project: { id: PROJECT_ID },
    previous: { domain: `shop.${DOMAIN}`, redirect: null, redirectStatusCode: null, gitBranch: null },
    next: { domain: `shop.${DOMAIN}`, redirect: `www.${DOMAIN}`, redirectStatusCode: 308, gitBranch: null },
  }),
  "project.domain-verified": () => projectDomain,
} satisfies Partial<SamplePayloadBuilders>;
