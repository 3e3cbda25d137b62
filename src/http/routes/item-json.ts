import { z } from "zod";
import type { ItemView, TopologyItems } from "../../operations/topology-items.js";
import type { TopologyKind } from "../../storage/port.js";
import type { ApiDeps } from "../api-env.js";
import type { ApiOperation, ApiRoutes } from "../api-spec.js";
import { jsonResponse } from "../json-response.js";
import { pathParam } from "./query.js";

/** A time of the store (epoch ms) as the API shows it: ISO 8601, or null. */
export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** When an item was created and last changed through the API (null for the config file's). */
export function itemTimes(item: { createdAt: number | null; updatedAt: number | null }) {
  return { createdAt: iso(item.createdAt), updatedAt: iso(item.updatedAt) };
}

/** What `itemTimes` and an item's owner add to every item's answer, as the document shows it. */
export const itemFields = {
  tenant: z.string(),
  managedBy: z
    .enum(["config", "api"])
    .meta({ description: "`config`: read-only here, change the config file." }),
  createdAt: z
    .string()
    .nullable()
    .meta({ format: "date-time", description: "Null for the config file's items." }),
  updatedAt: z.string().nullable().meta({ format: "date-time" }),
};

/**
 * The answer to a create or update that set secrets: the item, and its secrets in clear under
 * `secrets`, this once. They are kept sealed and never shown again.
 */
export function withSecrets<T extends object>(json: T, secrets: readonly string[] | undefined): T {
  return secrets ? { ...json, secrets: [...secrets] } : json;
}

/** What the document says of one kind of item: its document (the config file's form), its answer, examples. */
export interface ItemKindDoc {
  path: TopologyKind;
  noun: string;
  tag: string;
  /** The config file's schema of the item: what a create takes (the operation validates it). */
  document: z.ZodType;
  answer: z.ZodType;
  example: object;
  createExample: object;
  patchExample: object;
  /** The codes a delete can answer besides `not_found` and `managed_by_config`. */
  deleteErrors: readonly ("in_use" | "invalid_request")[];
}

/** The five operations of a kind of item, declared; the handlers are the caller's. */
export function itemOperations(doc: ItemKindDoc) {
  const slug = z.object({
    slug: pathParam(
      { description: `The ${doc.noun}'s slug.`, examples: [(doc.example as { slug: string }).slug] },
      (t) => t,
    ),
  });
  const { path, noun, tag } = doc;
  const patch = z.record(z.string(), z.unknown()).meta({
    description: `A JSON merge patch of the ${noun}'s document (RFC 7396); \`null\` removes a field.`,
  });
  return {
    list: {
      method: "get",
      path: `/${path}`,
      tag,
      summary: `List the tenant's ${path}`,
      description: "The config file's (tenant `default` only), then those made through the API.",
      responses: {
        200: {
          description: `Every ${noun}.`,
          schema: z.strictObject({ data: z.array(doc.answer) }),
          example: { data: [doc.example] },
        },
      },
      errors: [],
    },
    create: {
      method: "post",
      path: `/${path}`,
      tag,
      summary: `Create a ${noun}`,
      description: `The body is the ${noun} as the config file writes it. Secrets left out are generated; those set are shown in the answer, this once.`,
      body: { schema: doc.document, example: doc.createExample, checkedBy: "operation" as const },
      responses: { 201: { description: `The ${noun} made.`, schema: doc.answer, example: doc.example } },
      errors: ["conflict", "invalid_route"],
    },
    get: {
      method: "get",
      path: `/${path}/:slug`,
      tag,
      summary: `One ${noun}`,
      params: slug,
      responses: { 200: { description: `The ${noun}.`, schema: doc.answer, example: doc.example } },
      errors: ["not_found"],
    },
    update: {
      method: "patch",
      path: `/${path}/:slug`,
      tag,
      summary: `Change a ${noun}`,
      description: "The slug cannot change. Secrets changed are shown in the answer, this once.",
      params: slug,
      body: { schema: patch, example: doc.patchExample, checkedBy: "operation" as const },
      responses: {
        200: { description: `The ${noun} as it now is.`, schema: doc.answer, example: doc.example },
      },
      errors: ["not_found", "managed_by_config", "invalid_route"],
    },
    delete: {
      method: "delete",
      path: `/${path}/:slug`,
      tag,
      summary: `Delete a ${noun}`,
      params: slug,
      responses: { 204: { description: `The ${noun} is gone.` } },
      errors: ["not_found", "managed_by_config", ...doc.deleteErrors],
    },
  } satisfies Record<string, ApiOperation>;
}

/**
 * `GET|POST /<path>` and `GET|PATCH|DELETE /<path>/:slug` for one kind of a tenant's run-time
 * items, each rendered by `toJson`; an answer that set secrets shows them this once.
 */
export function itemRoutes<K extends TopologyKind>(
  api: ApiRoutes,
  doc: ItemKindDoc & { path: K },
  items: TopologyItems<K>,
  toJson: (item: ItemView<K>) => object,
): void {
  const shown = (item: ItemView<K>) => withSecrets(toJson(item), item.revealedSecrets);
  const ops = itemOperations(doc);
  api.add(ops.list, async (c) => jsonResponse(200, { data: (await items.list(c.var.tenant)).map(toJson) }));
  api.add(ops.create, async (c, { body }) =>
    jsonResponse(201, shown(await items.create(c.var.tenant, body))),
  );
  api.add(ops.get, async (c, { params }) =>
    jsonResponse(200, toJson(await items.get(c.var.tenant, params.slug))),
  );
  api.add(ops.update, async (c, { params, body }) =>
    jsonResponse(200, shown(await items.update(c.var.tenant, params.slug, body))),
  );
  api.add(ops.delete, async (c, { params }) => {
    await items.delete(c.var.tenant, params.slug);
    return new Response(null, { status: 204 });
  });
}

/** The deps every item module takes. */
export type ItemDeps = Pick<ApiDeps, "operations">;
