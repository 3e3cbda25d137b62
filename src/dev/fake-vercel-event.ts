/**
 * The events the fake Vercel sends to an integration's Webhook URL: the catalog's sample of a
 * type, re-addressed to one installation, so that the gateway files it where Vercel's would go.
 */
import { isJsonObject } from "../core/json-object.js";
import { signVercelBody } from "../signatures/vercel.js";
import {
  CLIENT_ID,
  CONFIGURATION_ID,
  PROJECT_ID,
  TEAM_ID,
  USER_ID,
} from "../vercel/sample-payloads/fixtures.js";
import { sampleEvent } from "../vercel/samples.js";

/** The installation an event is about, and who acted. */
export interface EventAddress {
  configurationId: string;
  /** The team installed into; null for a personal account. */
  teamId: string | null;
  userId: string;
  /** The project the event names; null keeps the sample's. */
  projectId: string | null;
  clientId: string;
}

/**
 * A realistic event of `type` for one installation: every id of the sample's team, user,
 * project, configuration and client is replaced by the installation's, wherever it occurs
 * (`payload.team.id`, `payload.user.id`, `payload.project.id`, `payload.installationId`,
 * `payload.configuration.id`, a legacy envelope's `teamId` and `ownerId`, …). Throws for an
 * unknown type.
 */
export function installationEvent(
  type: string,
  address: EventAddress,
  createdAt: number,
): Record<string, unknown> {
  // A personal account owns what a team would: an owner id is the user's there.
  const owner = address.teamId ?? address.userId;
  const ids = new Map<string, string>([
    [TEAM_ID, owner],
    [USER_ID, address.userId],
    [CONFIGURATION_ID, address.configurationId],
    [CLIENT_ID, address.clientId],
  ]);
  if (address.projectId !== null) ids.set(PROJECT_ID, address.projectId);
  const event = readdress(sampleEvent(type, { createdAt }), ids) as Record<string, unknown>;
  // Where a field says "team", a personal account has none: null, as Vercel sends it.
  if (isJsonObject(event.payload) && isJsonObject(event.payload.team)) event.payload.team.id = address.teamId;
  if ("teamId" in event) event.teamId = address.teamId;
  return event;
}

/** A copy of a JSON value with every string that is a key of `ids` replaced by its value. */
function readdress(value: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (typeof value === "string") return ids.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => readdress(v, ids));
  if (isJsonObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, readdress(v, ids)]));
  }
  return value;
}

/** POSTs a raw body signed as Vercel signs (`x-vercel-signature`, hex HMAC-SHA1); resolves with the answer's status. */
export async function postSigned(url: string, body: string, secret: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-vercel-signature": signVercelBody(body, secret) },
    body,
    // A Webhook URL that never answers must not hold the dashboard's form forever.
    signal: AbortSignal.timeout(30_000),
  });
  await response.arrayBuffer();
  return response.status;
}
