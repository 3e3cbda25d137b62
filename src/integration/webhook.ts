import type { IntegrationConfig } from "../config/schema.js";
import type { RunCommand } from "../core/action-types.js";
import type { Clock } from "../core/clock.js";
import { isJsonObject } from "../core/json-object.js";
import { INTEGRATION_SOURCE } from "../core/types.js";
import type { SharedSource } from "../ingest/ingest.js";
import type { Store } from "../storage/port.js";
import type { SourceEntry } from "../topology/entries.js";

/** Where integration events no installation claims are kept: stored, never relayed. */
export const UNCLAIMED_TENANT = "unclaimed";

/** Installation lifecycle events: acted on, never relayed. */
const LIFECYCLE = "integration-configuration.";
/** Deployment events: they may ask for actions or move checks. */
const DEPLOYMENT_EVENT = "deployment";

const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** The installation ids an event names: its configuration, `installationId`, `integrations[]`, `installationIds[]`. */
export function installationIdsIn(body: unknown): string[] {
  const payload = isJsonObject(body) && isJsonObject(body.payload) ? body.payload : {};
  const ids = [
    text(isJsonObject(payload.configuration) ? payload.configuration.id : null),
    text(payload.installationId),
    ...(Array.isArray(payload.integrations)
      ? payload.integrations.map((i) => text(isJsonObject(i) ? i.installationId : null))
      : []),
    ...(Array.isArray(payload.installationIds) ? payload.installationIds.map(text) : []),
  ];
  return [...new Set(ids.filter((id): id is string => id !== null))];
}

/** The team and (personal account) user an event is about. */
function ownerIn(body: unknown): { teamId: string | null; userId: string | null } {
  const payload = isJsonObject(body) && isJsonObject(body.payload) ? body.payload : {};
  return {
    teamId: text(isJsonObject(payload.team) ? payload.team.id : null),
    userId: text(isJsonObject(payload.user) ? payload.user.id : null),
  };
}

/**
 * The integration's webhook as a shared source: requests verified with the client secret; each
 * event stored for the installations it names (or, naming none, for those of its team or
 * personal account), for `unclaimed` when no active installation claims it; lifecycle events acted
 * on and never relayed.
 */
export function integrationWebhook(
  integration: IntegrationConfig,
  store: Store,
  clock: Clock,
  hooks: {
    /** Called after an installation was removed (its topology went with it). */
    onRemoved: () => Promise<void>;
    /** Called for each event no active installation claims. */
    onUnclaimed: () => void;
    /** The deployment actions an event asks of an installation (none: no actions are run). */
    actionsOf?: (type: string, body: unknown, tenant: string, receivedAt: number) => RunCommand[];
    /** Called after a deployment event (which may ask for actions or checks) was stored. */
    onActions?: () => void;
  },
): SharedSource {
  const entry: SourceEntry = {
    tenant: UNCLAIMED_TENANT,
    managedBy: "config",
    config: {
      slug: INTEGRATION_SOURCE,
      kind: "vercel",
      secrets: [integration.clientSecret],
      insecure: false,
    },
  };
  return {
    entry,
    relays: (type) => !type.startsWith(LIFECYCLE),
    actionsOf: (type, body, tenant, receivedAt) =>
      tenant === UNCLAIMED_TENANT ? [] : (hooks.actionsOf?.(type, body, tenant, receivedAt) ?? []),
    async tenantsOf(_type, body) {
      const named = installationIdsIn(body);
      if (named.length > 0) {
        const found = await Promise.all(named.map((id) => store.installations.get(id)));
        return found.filter((i) => i?.status === "active").map((i) => (i as { id: string }).id);
      }
      const { teamId, userId } = ownerIn(body);
      const owners = teamId
        ? await store.installations.findByTeam(teamId)
        : userId
          ? await store.installations.findByUser(userId)
          : [];
      return owners.map((i) => i.id);
    },
    async afterStored(type, body, tenants) {
      if (tenants.length === 1 && tenants[0] === UNCLAIMED_TENANT) hooks.onUnclaimed();
      if (type.startsWith(DEPLOYMENT_EVENT)) hooks.onActions?.();
      if (!type.startsWith(LIFECYCLE)) return;
      const payload = isJsonObject(body) && isJsonObject(body.payload) ? body.payload : {};
      const configuration = isJsonObject(payload.configuration) ? payload.configuration : {};
      const now = clock.now();
      for (const id of tenants) {
        if (id === UNCLAIMED_TENANT) continue;
        if (type === `${LIFECYCLE}removed`) {
          await store.installations.remove(id, now);
          await hooks.onRemoved();
        } else if (type === `${LIFECYCLE}permission-upgraded`) {
          const projects =
            configuration.projectSelection === "all"
              ? "all"
              : Array.isArray(configuration.projects)
                ? configuration.projects.filter((p): p is string => typeof p === "string")
                : undefined;
          if (projects !== undefined) await store.installations.update(id, { projects }, now);
        } else if (type === `${LIFECYCLE}scope-change-confirmed`) {
          if (Array.isArray(configuration.scopes))
            await store.installations.update(
              id,
              { scopes: configuration.scopes.filter((s): s is string => typeof s === "string") },
              now,
            );
        } else if (type === `${LIFECYCLE}transferred`) {
          const newTeamId = text(payload.newTeamId);
          await store.installations.update(id, { teamId: newTeamId }, now);
        }
      }
    },
  };
}
