import type { ActionConfig } from "../config/actions-schema.js";
import type { CheckConfig } from "../config/checks-schema.js";
import {
  type DeclaredRun,
  type RunItemKind,
  type RunScope,
  type RunSetting,
  runScopeOf,
} from "../core/run-settings.js";
import type { Installation } from "../storage/port.js";
import type { OperationsDeps } from "./context.js";
import { OperationError } from "./errors.js";
import type { RelayOperations } from "./relay-settings.js";

/** A declared item with where it runs for one installation. */
export interface RunItem extends DeclaredRun {
  runs: RunScope;
}

/** What a caller asks of one item; an item it leaves out runs for every project. */
export interface RunChoice {
  kind: RunItemKind;
  name: string;
  runs: "all" | "off" | readonly string[];
}

/** The host placeholder of a check's URL: a URL starting with it requests the deployment itself. */
const ON_DEPLOYMENT = /^https?:\/\/\{deployment\.url\}/;

/** What an action does, in words that show nothing of the server's own addresses or credentials. */
function actionDescription(action: ActionConfig): string {
  if (action.description) return action.description;
  if (action.kind === "postgres-branch") {
    const each = action.branchBy === "git-ref" ? "git branch" : "deployment";
    return `Gives each ${each} its own PostgreSQL database, cloned from a template, as ${action.secretName}.`;
  }
  return "Asks a service about each deployment before it goes on.";
}

/** What a check does: the path it requests on the deployment (never another host's URL), what it expects. */
function checkDescription(check: CheckConfig): string {
  if (check.description) return check.description;
  const which = check.targets.length === 1 ? `each ${check.targets[0]} deployment` : "each deployment";
  const path = ON_DEPLOYMENT.test(check.url)
    ? check.url.replace(ON_DEPLOYMENT, "").split(/[?#]/)[0] || "/"
    : null;
  const what = path ? `Requests ${path} of ${which}` : `Asks a service about ${which}`;
  const status = check.expect.status ? `${check.expect.status}` : "a 2xx answer";
  const text = check.expect.bodyContains ? ` containing "${check.expect.bodyContains}"` : "";
  const blocking = check.blocking ? "; a failure holds back its promotion" : "";
  return `${what}, expecting ${status}${text}${blocking}.`;
}

/** The server's declared deployment actions and checks, in the config's order, actions first. */
export function declaredRuns(
  actions: readonly ActionConfig[],
  checks: readonly CheckConfig[],
): DeclaredRun[] {
  return [
    ...actions.map((a) => ({ kind: "action" as const, name: a.slug, description: actionDescription(a) })),
    ...checks.map((c) => ({ kind: "check" as const, name: c.name, description: checkDescription(c) })),
  ];
}

const what = (kind: RunItemKind, name: string) => `${kind} "${name}"`;

/**
 * Which of the server's deployment actions and checks run for an installation: each for every
 * project (the default), for none, or for some of the installation's own projects. Kept on the
 * installation; the runner asks `actions/run-gate.ts` at each run's start.
 */
export class RunSettingsOperations {
  constructor(
    private readonly deps: OperationsDeps,
    private readonly relay: RelayOperations,
  ) {}

  /** The declared actions and checks, none when the server declares none. */
  get declared(): readonly DeclaredRun[] {
    return this.deps.declaredRuns;
  }

  /** Every declared item with where it runs for the installation. */
  of(installation: Installation): RunItem[] {
    return this.declared.map((d) => ({ ...d, runs: runScopeOf(installation.runSettings, d.kind, d.name) }));
  }

  /** Where each declared item runs for the active installation `id`. */
  async get(id: string): Promise<RunItem[]> {
    return this.of(await this.active(id));
  }

  /**
   * Replaces where the declared items run for the active installation `id`: every choice names a
   * declared item once, and its projects must be the installation's own (as Vercel lists them);
   * an item left out runs for every project. Nothing changes when a choice is refused.
   */
  async save(id: string, choices: readonly RunChoice[]): Promise<RunItem[]> {
    const installation = await this.active(id);
    const seen = new Set<string>();
    const wanted = new Set<string>();
    for (const choice of choices) {
      const key = `${choice.kind}\n${choice.name}`;
      if (!this.declared.some((d) => d.kind === choice.kind && d.name === choice.name))
        throw new OperationError(
          choice.kind === "action" ? "unknown_action" : "unknown_check",
          `no ${what(choice.kind, choice.name)} is declared on this server`,
        );
      if (seen.has(key))
        throw new OperationError("invalid_request", `${what(choice.kind, choice.name)} is chosen twice`);
      seen.add(key);
      if (typeof choice.runs !== "string") {
        if (choice.runs.length === 0)
          throw new OperationError(
            "invalid_request",
            `choose at least one project for ${what(choice.kind, choice.name)}, or turn it off`,
          );
        for (const project of choice.runs) wanted.add(project);
      }
    }
    if (wanted.size > 0) await this.requireOwnProjects(installation, wanted);
    // Kept in the declared order, only what differs from every project.
    const settings: RunSetting[] = [];
    for (const d of this.declared) {
      const choice = choices.find((c) => c.kind === d.kind && c.name === d.name);
      if (!choice || choice.runs === "all") continue;
      const runs = choice.runs === "off" ? "off" : [...new Set(choice.runs)].sort();
      settings.push({ kind: d.kind, name: d.name, runs });
    }
    const saved = await this.deps.store.installations.setRunSettings(id, settings, this.deps.clock.now());
    if (!saved) throw new OperationError("not_found", "that installation was removed");
    return this.of(saved);
  }

  private async requireOwnProjects(installation: Installation, wanted: ReadonlySet<string>): Promise<void> {
    const listed = await this.relay.projects(installation);
    if (listed.error !== null)
      throw new OperationError(
        "vercel_error",
        `the installation's projects could not be listed (${listed.error}); nothing was changed`,
      );
    const own = new Set(listed.projects.map((p) => p.id));
    const foreign = [...wanted].filter((p) => !own.has(p));
    if (foreign.length > 0)
      throw new OperationError(
        "unknown_project",
        `${foreign.map((p) => `"${p}"`).join(", ")} ${foreign.length === 1 ? "is not a project" : "are not projects"} of this installation`,
      );
  }

  private async active(id: string): Promise<Installation> {
    const found = await this.deps.store.installations.get(id);
    if (!found) throw new OperationError("not_found", "no installation has that id");
    if (found.status !== "active") throw new OperationError("not_found", "that installation was removed");
    return found;
  }
}
