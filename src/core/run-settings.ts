/**
 * Which of the server's deployment actions and checks run for one installation.
 *
 * Glossary:
 * - **item**: one declared deployment action (by its slug) or deployment check (by its name).
 * - **runs**: where an item runs for the installation's deployments: `all` (every project, the
 *   default), `off` (none), or a list of the installation's project ids (only those).
 *
 * An installation keeps only the items it changed from `all`; an item it never changed, or one
 * declared after it saved, runs for every project.
 */

/** What kind of item: a deployment integration action, or a deployment check. */
export type RunItemKind = "action" | "check";

/** Where an item runs: every project, none, or only these projects. */
export type RunScope = "all" | "off" | readonly string[];

/** One item's choice, as an installation keeps it. */
export interface RunSetting {
  kind: RunItemKind;
  /** The action's slug, or the check's name. */
  name: string;
  runs: RunScope;
}

/** A deployment action or check the server declares, as an installation's configuration shows it. */
export interface DeclaredRun {
  kind: RunItemKind;
  /** The action's slug, or the check's name. */
  name: string;
  /** What it does, in one line. */
  description: string;
}

/** Where `kind` `name` runs under `settings`: its kept choice, else every project. */
export function runScopeOf(settings: readonly RunSetting[], kind: RunItemKind, name: string): RunScope {
  return settings.find((s) => s.kind === kind && s.name === name)?.runs ?? "all";
}
