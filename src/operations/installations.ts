import { installationTokenContext } from "../integration/token.js";
import { VercelApiError } from "../integration/vercel-api.js";
import type { InstallationCounts, InstallationSummary } from "../storage/port.js";
import type { OperationsDeps } from "./context.js";
import { OperationError } from "./errors.js";

/** The Vercel integration's installations, each a tenant: listing them, and uninstalling one. */
export class InstallationOperations {
  constructor(private readonly deps: OperationsDeps) {}

  /** Installations newest first, removed ones too (their audit record); never a token. */
  list(
    cursor: string | null,
    limit: number,
  ): Promise<{ data: InstallationSummary[]; nextCursor: string | null }> {
    return this.deps.store.installations.list(cursor, limit);
  }

  /** One installation, without its token. */
  async get(id: string): Promise<InstallationSummary> {
    const found = await this.deps.store.installations.get(id);
    if (!found) throw new OperationError("not_found", "no installation has that id");
    const { accessToken: _, ...summary } = found;
    return summary;
  }

  /**
   * Uninstalls: asks Vercel to delete the configuration (one Vercel no longer knows counts as
   * deleted), then deletes everything the installation owns in one transaction, keeping its audit
   * record. A Vercel that cannot be reached or refuses leaves everything as it was.
   */
  async remove(id: string): Promise<InstallationCounts> {
    const found = await this.deps.store.installations.get(id);
    if (!found) throw new OperationError("not_found", "no installation has that id");
    if (found.status === "removed")
      throw new OperationError("not_found", "that installation was removed already");
    const vercel = this.deps.vercel;
    if (vercel && found.accessToken) {
      const token = this.deps.secrets.open(found.accessToken, installationTokenContext(id));
      try {
        await vercel.deleteConfiguration(token, id, found.teamId);
      } catch (error) {
        const gone = error instanceof VercelApiError && (error.status === 404 || error.status === 403);
        if (!gone) {
          const why =
            error instanceof VercelApiError ? `${error.code}: ${error.message}` : (error as Error).message;
          throw new OperationError(
            "vercel_error",
            `Vercel did not delete the configuration (${why}); nothing was removed`,
          );
        }
      }
    }
    const counts = await this.deps.store.installations.remove(id, this.deps.clock.now());
    if (!counts) throw new OperationError("not_found", "that installation was removed already");
    await this.deps.topology.refresh();
    return counts;
  }
}
