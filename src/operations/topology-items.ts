import { randomBytes } from "node:crypto";
import { formatPath } from "../core/config-error.js";
import { FilterError } from "../core/filter.js";
import { isJsonObject } from "../core/json-object.js";
import { INTEGRATION_SOURCE, INTERNAL_SOURCE } from "../core/types.js";
import type { TopologyKind, TopologyRecord } from "../storage/port.js";
import {
  joinSecrets,
  KIND_SCHEMAS,
  type KindConfig,
  secretContext,
  splitSecrets,
} from "../topology/documents.js";
import type { ManagedBy } from "../topology/entries.js";
import { compileRouteFilter } from "../topology/route-filter.js";
import { openRecord } from "../topology/store-records.js";
import { TransformCompileError } from "../transform/compile-error.js";
import type { OperationsDeps } from "./context.js";
import { OperationError } from "./errors.js";
import { mergePatch } from "./merge-patch.js";

/** A new secret for a destination's signing scheme (as the scheme expects it), or null for none. */
export function newSigningSecret(scheme: unknown): string | null {
  if (scheme === "standard-webhooks") return `whsec_${randomBytes(24).toString("base64")}`;
  if (scheme === "vercel") return randomBytes(24).toString("hex");
  return null;
}

/** A source, destination or route as operations return it. */
export interface ItemView<K extends TopologyKind> {
  tenant: string;
  managedBy: ManagedBy;
  config: KindConfig<K>;
  createdAt: number | null;
  updatedAt: number | null;
  /** The secrets in clear: only in the answer to the create or update that set them, never again. */
  revealedSecrets?: string[];
}

const NOUN: Record<TopologyKind, string> = {
  sources: "source",
  destinations: "destination",
  routes: "route",
};

type Doc = Record<string, unknown>;

/**
 * Create, read, update and delete one kind of a tenant's run-time items. Each is validated by the
 * config file's schema and checked against the tenant's other items; its secrets are sealed before
 * they reach the store and shown once; every change is in force on this node when the call returns
 * (and on every other within a second).
 */
export class TopologyItems<K extends TopologyKind> {
  constructor(
    private readonly kind: K,
    private readonly deps: OperationsDeps,
  ) {}

  /** The config file's items (tenant `default` only), then the tenant's run-time ones. */
  async list(tenant: string): Promise<ItemView<K>[]> {
    const records = await this.table(tenant).list();
    return [...this.configItems(tenant), ...records.flatMap((r) => this.opened(r))];
  }

  /** One item; not_found when the tenant has none of that slug. */
  async get(tenant: string, slug: string): Promise<ItemView<K>> {
    const fromConfig = this.configItems(tenant).find((i) => i.config.slug === slug);
    if (fromConfig) return fromConfig;
    const record = await this.table(tenant).get(slug);
    const view = record ? this.opened(record)[0] : undefined;
    if (!view) throw this.notFound();
    return view;
  }

  /** Creates an item from its document (the config file's form); secrets left out are generated. */
  async create(tenant: string, input: unknown): Promise<ItemView<K>> {
    if (!isJsonObject(input))
      throw new OperationError("invalid_request", `a ${NOUN[this.kind]} is a JSON object`);
    const doc = this.withGeneratedSecrets(input);
    const config = this.validate(doc);
    const slug = (config as { slug: string }).slug;
    if (this.configItems(tenant).some((i) => i.config.slug === slug) || this.takenSource(slug))
      throw this.conflict(slug);
    await this.check(tenant, config);
    const { definition, secrets } = splitSecrets(this.kind, doc);
    const record = await this.table(tenant).create(
      slug,
      definition,
      this.seal(tenant, slug, secrets),
      this.deps.clock.now(),
    );
    if (!record) throw this.conflict(slug);
    await this.deps.topology.refresh();
    return { ...this.view(record, config), ...(secrets ? { revealedSecrets: secrets } : {}) };
  }

  /** Applies a JSON merge patch to an item's document; the slug cannot change. */
  async update(tenant: string, slug: string, patch: unknown): Promise<ItemView<K>> {
    if (!isJsonObject(patch))
      throw new OperationError("invalid_request", "a change is a JSON object (a merge patch)");
    if (patch.slug !== undefined && patch.slug !== slug)
      throw new OperationError("invalid_request", "slug: a slug cannot change; create a new item instead");
    this.refuseConfigItem(tenant, slug);
    const table = this.table(tenant);
    const record = await table.get(slug);
    if (!record) throw this.notFound();
    const current = joinSecrets(
      this.kind,
      isJsonObject(record.definition) ? record.definition : {},
      this.openSecrets(record),
    );
    const doc = mergePatch(current, patch) as Doc;
    const config = this.validate(doc);
    await this.check(tenant, config);
    const { definition, secrets } = splitSecrets(this.kind, doc);
    const updated = await table.update(
      slug,
      definition,
      this.seal(tenant, slug, secrets),
      this.deps.clock.now(),
    );
    if (!updated) throw this.notFound();
    await this.deps.topology.refresh();
    const changedSecrets = splitSecrets(this.kind, patch).secrets;
    return {
      ...this.view(updated, config),
      ...(changedSecrets && secrets ? { revealedSecrets: secrets } : {}),
    };
  }

  /** Deletes an item no route of its tenant names. */
  async delete(tenant: string, slug: string): Promise<void> {
    this.refuseConfigItem(tenant, slug);
    if (this.kind !== "routes") {
      const field = this.kind === "sources" ? "source" : "destinations";
      const users = this.deps.topology.current.definition.routes
        .filter((r) => r.tenant === tenant && (r.config[field] as readonly string[]).includes(slug))
        .map((r) => `"${r.config.slug}"`);
      if (users.length > 0) {
        throw new OperationError(
          "in_use",
          `the ${NOUN[this.kind]} "${slug}" is named by route ${users.join(", ")}: change or delete them first`,
        );
      }
    }
    if (!(await this.table(tenant).delete(slug))) throw this.notFound();
    await this.deps.topology.refresh();
  }

  private table(tenant: string) {
    return this.deps.store.forTenant(tenant)[this.kind];
  }

  private configItems(tenant: string): ItemView<K>[] {
    return (
      this.deps.topology.current.definition[this.kind] as readonly {
        tenant: string;
        managedBy: ManagedBy;
        config: unknown;
      }[]
    )
      .filter((i) => i.managedBy === "config" && i.tenant === tenant)
      .map((i) => ({
        tenant,
        managedBy: "config",
        config: i.config as KindConfig<K>,
        createdAt: null,
        updatedAt: null,
      }));
  }

  private opened(record: TopologyRecord): ItemView<K>[] {
    try {
      return [this.view(record, openRecord(this.kind, record, this.deps.secrets))];
    } catch {
      // Logged where the topology loads it; a listing shows what can be used.
      return [];
    }
  }

  private view(record: TopologyRecord, config: KindConfig<K>): ItemView<K> {
    return {
      tenant: record.tenant,
      managedBy: "api",
      config,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  private validate(doc: Doc): KindConfig<K> {
    if (this.kind === "routes" && isJsonObject(doc.transform) && doc.transform.file !== undefined)
      throw new OperationError(
        "invalid_request",
        "transform.file is for the config file; give the code as transform.code",
        ["transform.file: not accepted here"],
      );
    const parsed = KIND_SCHEMAS[this.kind].safeParse(doc);
    if (parsed.success) return parsed.data as KindConfig<K>;
    const issues = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw new OperationError("invalid_request", `invalid ${NOUN[this.kind]}: ${issues.join("; ")}`, issues);
  }

  /** What the schema cannot see: the tenant's other items, filters that compile, code that compiles. */
  private async check(tenant: string, config: KindConfig<K>): Promise<void> {
    const slug = (config as { slug: string }).slug;
    if (this.kind === "sources" && (slug === INTERNAL_SOURCE || slug === INTEGRATION_SOURCE))
      throw new OperationError("invalid_request", `slug: "${slug}" is a built-in source`);
    if (this.kind !== "routes") return;
    const route = config as KindConfig<"routes">;
    const topology = this.deps.topology;
    const issues = [
      ...route.source.map((s, i) =>
        s === INTERNAL_SOURCE ||
        (s === INTEGRATION_SOURCE && this.deps.vercel !== null) ||
        topology.source(s)?.tenant === tenant
          ? null
          : `source[${i}]: no source "${s}"`,
      ),
      ...route.destinations.map((d, i) =>
        topology.destination(tenant, d) ? null : `destinations[${i}]: no destination "${d}"`,
      ),
    ].filter((i): i is string => i !== null);
    try {
      compileRouteFilter(route);
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      issues.push(error.message);
    }
    if (route.transform?.code !== undefined) {
      try {
        await this.deps.transforms.trial(
          route.transform,
          new Uint8Array(),
          { eventId: "", deliveryId: "", source: "", type: "", route: route.slug, destination: "" },
          false,
        );
      } catch (error) {
        if (!(error instanceof TransformCompileError)) throw error;
        issues.push(`transform.code: ${error.message}`);
      }
    }
    if (issues.length > 0)
      throw new OperationError("invalid_request", `invalid route: ${issues.join("; ")}`, issues);
  }

  private withGeneratedSecrets(doc: Doc): Doc {
    if (this.kind === "sources" && doc.secrets === undefined && doc.insecure !== true) {
      const secret =
        doc.kind === "standard-webhooks"
          ? `whsec_${randomBytes(24).toString("base64")}`
          : randomBytes(24).toString("hex");
      return { ...doc, secrets: [secret] };
    }
    if (this.kind === "destinations" && isJsonObject(doc.signing) && doc.signing.secrets === undefined) {
      const secret = newSigningSecret(doc.signing.scheme);
      if (secret !== null) return { ...doc, signing: { ...doc.signing, secrets: [secret] } };
    }
    return doc;
  }

  private seal(tenant: string, slug: string, secrets: readonly string[] | null): string[] | null {
    const context = secretContext(tenant, this.kind, slug);
    return secrets?.map((s) => this.deps.secrets.seal(s, context)) ?? null;
  }

  private openSecrets(record: TopologyRecord): string[] | null {
    const context = secretContext(record.tenant, this.kind, record.slug);
    return record.secrets?.map((s) => this.deps.secrets.open(s, context)) ?? null;
  }

  /** A source's slug is its URL: taken if any tenant's source (or the config's) has it. */
  private takenSource(slug: string): boolean {
    return this.kind === "sources" && this.deps.topology.source(slug) !== undefined;
  }

  /** Refuses (managed_by_config) a change to an item the config file defines. */
  refuseConfigItem(tenant: string, slug: string): void {
    if (this.configItems(tenant).some((i) => i.config.slug === slug)) {
      throw new OperationError(
        "managed_by_config",
        `the ${NOUN[this.kind]} "${slug}" is defined in the config file; change it there`,
      );
    }
  }

  private notFound(): OperationError {
    return new OperationError("not_found", `no ${NOUN[this.kind]} has that slug`);
  }

  private conflict(slug: string): OperationError {
    return new OperationError(
      "conflict",
      this.kind === "sources"
        ? `a source "${slug}" exists already (a source's slug is its URL, unique across tenants)`
        : `a ${NOUN[this.kind]} "${slug}" exists already`,
    );
  }
}
