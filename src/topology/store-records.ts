import type { Logger } from "pino";
import { formatPath } from "../core/config-error.js";
import { isJsonObject } from "../core/json-object.js";
import type { SecretBox } from "../core/secret-box.js";
import type { Store, TopologyKind, TopologyRecord } from "../storage/port.js";
import { joinSecrets, KIND_SCHEMAS, type KindConfig, secretContext } from "./documents.js";
import type { Owned, TopologyDefinition } from "./entries.js";
import type { TopologyRecords } from "./live.js";

/**
 * An item as kept in the store, opened: its secrets unsealed and its document validated by the
 * config schema. Throws when it cannot be (another secret key, a document the schema now refuses).
 */
export function openRecord<K extends TopologyKind>(
  kind: K,
  record: TopologyRecord,
  box: SecretBox,
): KindConfig<K> {
  const secrets =
    record.secrets?.map((s) => box.open(s, secretContext(record.tenant, kind, record.slug))) ?? null;
  const doc = isJsonObject(record.definition) ? record.definition : {};
  const parsed = KIND_SCHEMAS[kind].safeParse(joinSecrets(kind, doc, secrets));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${formatPath(issue?.path ?? [])}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data as KindConfig<K>;
}

/** The store's run-time items as the live topology reads them. */
export class StoreTopologyRecords implements TopologyRecords {
  readonly subscribeTopology?: (onChange: () => void) => Promise<() => Promise<void>>;

  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly logger?: Logger,
  ) {
    if (store.subscribeTopology) this.subscribeTopology = store.subscribeTopology.bind(store);
  }

  topologyVersion(): Promise<number> {
    return this.store.topologyVersion();
  }

  async loadTopology(): Promise<{ version: number; definition: TopologyDefinition }> {
    const read = await this.store.readAllTopology();
    return {
      version: read.version,
      definition: {
        sources: this.open("sources", read.sources),
        destinations: this.open("destinations", read.destinations),
        routes: this.open("routes", read.routes),
      },
    };
  }

  /** Every record that opens; one that does not is left out and logged, never the others with it. */
  private open<K extends TopologyKind>(kind: K, records: readonly TopologyRecord[]): Owned<KindConfig<K>>[] {
    return records.flatMap((r) => {
      try {
        return [{ tenant: r.tenant, managedBy: "api" as const, config: openRecord(kind, r, this.box) }];
      } catch (error) {
        this.logger?.error(
          { tenant: r.tenant, kind, slug: r.slug, error: (error as Error).message },
          "a stored topology item cannot be used; it is left out",
        );
        return [];
      }
    });
  }
}
