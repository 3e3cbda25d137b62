import { z } from "zod";
import { sourceSchema } from "../../config/schema.js";
import { formatDuration } from "../../core/duration.js";
import type { ItemView } from "../../operations/topology-items.js";
import type { ApiDeps } from "../api-env.js";
import type { ApiRoutes } from "../api-spec.js";
import { itemFields, itemRoutes, itemTimes } from "./item-json.js";

/** A source as the API shows it: how it verifies, never its secrets (only how many). */
function sourceJson(item: ItemView<"sources">) {
  const s = item.config;
  return {
    slug: s.slug,
    tenant: item.tenant,
    managedBy: item.managedBy,
    kind: s.kind,
    ingestPath: `/ingest/${s.slug}`,
    secrets: s.secrets.length,
    insecure: s.insecure,
    ...(s.kind === "hmac"
      ? { header: s.header, algorithm: s.algorithm, encoding: s.encoding, prefix: s.prefix }
      : {}),
    ...(s.kind === "standard-webhooks" ? { tolerance: formatDuration(s.tolerance) } : {}),
    ...itemTimes(item),
  };
}

/** What `sourceJson` writes (and, on the answer that set them, the secrets in clear). */
const sourceAnswer = z.strictObject({
  slug: z.string(),
  ...itemFields,
  kind: z.enum(["vercel", "hmac", "standard-webhooks"]),
  ingestPath: z.string().meta({ description: "Where the sender posts." }),
  secrets: z.union([z.number().int(), z.array(z.string())]).meta({
    description: "How many secrets it has; the secrets themselves on the answer that set them, this once.",
  }),
  insecure: z.boolean(),
  header: z.string().optional().meta({ description: "`hmac` only." }),
  algorithm: z.enum(["sha1", "sha256", "sha512"]).optional(),
  encoding: z.enum(["hex", "base64"]).optional(),
  prefix: z.string().optional(),
  tolerance: z.string().optional().meta({ description: "`standard-webhooks` only." }),
});

/** `GET/POST /api/v1/sources`, `GET/PATCH/DELETE /api/v1/sources/:slug`, mounted at `/api/v1`; all for `?tenant=`. */
export function sourceRoutes(api: ApiRoutes, { operations }: Pick<ApiDeps, "operations">): void {
  itemRoutes(
    api,
    {
      path: "sources",
      noun: "source",
      tag: "Sources",
      document: sourceSchema,
      answer: sourceAnswer,
      example: {
        slug: "github",
        tenant: "default",
        managedBy: "api",
        kind: "hmac",
        ingestPath: "/ingest/github",
        secrets: 1,
        insecure: false,
        header: "x-hub-signature-256",
        algorithm: "sha256",
        encoding: "hex",
        prefix: "sha256=",
        createdAt: "2026-01-31T12:00:00.000Z",
        updatedAt: "2026-01-31T12:00:00.000Z",
      },
      createExample: { slug: "github", kind: "hmac", header: "x-hub-signature-256", prefix: "sha256=" },
      patchExample: { secrets: ["a-new-secret", "the-old-secret"] },
      deleteErrors: ["in_use"],
    },
    operations.sources,
    sourceJson,
  );
}
