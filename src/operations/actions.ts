import type { ActionRun, ActionRunDetail, ActionRunQuery, RunKind } from "../storage/actions-port.js";
import type { OperationsDeps } from "./context.js";
import { OperationError } from "./errors.js";

/** The runs of deployment integration actions and checks: listing them, and one with its steps and reports. */
export class ActionOperations {
  constructor(private readonly deps: OperationsDeps) {}

  /** Runs of one kind (actions unless told) newest first, a page at a time (`before` is the previous page's last id). */
  async list(query: ActionRunQuery): Promise<{ data: ActionRun[]; nextCursor: string | null }> {
    const runs = await this.deps.store.actions.listRuns({
      ...query,
      kind: query.kind ?? "action",
      limit: query.limit + 1,
    });
    const data = runs.slice(0, query.limit);
    return { data, nextCursor: runs.length > query.limit ? (data.at(-1)?.id ?? null) : null };
  }

  /** One run with its steps and reports (their bodies, which may hold secrets, are never shown); `tenant` scopes it. */
  async get(id: string, tenant?: string, kind: RunKind = "action"): Promise<ActionRunDetail> {
    const found = await this.deps.store.actions.getRun(id, tenant);
    if (!found || found.run.kind !== kind)
      throw new OperationError("not_found", `no ${kind === "check" ? "check" : "action"} run has that id`);
    return found;
  }
}
