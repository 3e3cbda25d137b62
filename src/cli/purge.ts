import { CliError, EXIT } from "./exit-codes.js";
import { withProgress } from "./progress.js";
import { apiClient, callServer, okJson } from "./server-api.js";

export interface PurgeOptions {
  yes?: boolean | undefined;
  json?: boolean | undefined;
  url?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
}

/**
 * `switchyard tenants purge TENANT --yes`: deletes a tenant and everything it owns on a running
 * server, in one transaction, and prints what was deleted. Without `--yes` it deletes nothing.
 */
export async function purgeCommand(tenant: string, options: PurgeOptions): Promise<number> {
  if (!options.yes)
    throw new CliError(
      `this deletes tenant ${tenant} with all its events, deliveries and settings, for good: add --yes to do it`,
    );
  const client = apiClient(options);
  const url = `${client.base}/api/v1/tenants/${encodeURIComponent(tenant)}`;
  const result = await withProgress(`purging tenant ${tenant}`, async () =>
    okJson<{ tenant: string; deleted: Record<string, number> }>(
      await callServer(client.base, url, {
        method: "DELETE",
        headers: { authorization: `Bearer ${client.token}` },
      }),
      `the purge of ${tenant} was`,
    ),
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT.ok;
  }
  const counts = Object.entries(result.deleted).map(([what, n]) => `${n} ${what}`);
  process.stdout.write(`tenant ${result.tenant} purged: ${counts.join(", ")}\n`);
  return EXIT.ok;
}
