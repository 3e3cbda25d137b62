import type { RunItemKind } from "../../core/run-settings.js";
import type { VercelProject } from "../../integration/vercel-api.js";
import { OperationError } from "../../operations/errors.js";
import type { RunChoice, RunItem } from "../../operations/run-settings.js";
import { Button, Check, Hidden, Notice } from "../components.js";

/** A refused save of the form: what the operation said, and its stable code. */
export interface RunsFormError {
  message: string;
  code: string;
}

const KIND_LABEL: Record<RunItemKind, string> = { action: "Deployment action", check: "Deployment check" };

/** How many items one form may carry: far more than a config declares, and a bound on the loop. */
const MAX_ITEMS = 500;

/**
 * The choices of a submitted form: per item `i`, `item-i` names it (`kind:name`), `runs-i` says
 * all, only (with `projects-i`) or off. A field that is not one of those is refused.
 */
export function runChoicesOf(form: Record<string, string[]>): RunChoice[] {
  const choices: RunChoice[] = [];
  for (let i = 0; i < MAX_ITEMS; i++) {
    const item = form[`item-${i}`]?.[0];
    if (item === undefined) break;
    const colon = item.indexOf(":");
    const kind = item.slice(0, colon);
    if (kind !== "action" && kind !== "check")
      throw new OperationError("invalid_request", "The form names an item that is no action or check.");
    const mode = form[`runs-${i}`]?.[0] ?? "all";
    if (mode !== "all" && mode !== "only" && mode !== "off")
      throw new OperationError("invalid_request", `Choose all projects, only some, or off for "${item}".`);
    const runs = mode === "only" ? (form[`projects-${i}`] ?? []) : mode;
    choices.push({ kind, name: item.slice(colon + 1), runs });
  }
  return choices;
}

/**
 * The configuration page's "Deployment actions and checks" section: for each of the server's
 * declared actions and checks, what it does and where it runs for this installation (all
 * projects, only the chosen ones, or off). Works without script: the project boxes are read only
 * when "Only these projects" is chosen.
 */
export function RunsForm(props: {
  items: readonly RunItem[];
  /** The installation's projects, or why they could not be listed. */
  projects: { projects: readonly VercelProject[]; error: string | null };
  action: string;
  csrf: string;
  error?: RunsFormError | undefined;
}) {
  const listed = props.projects.error === null;
  return (
    <section aria-labelledby="runs-heading">
      <h2 id="runs-heading">Deployment actions and checks</h2>
      <p class="hint runs-intro">
        Each runs for every project's deployments unless you turn it off here, or keep it to some projects.
      </p>
      {props.error && (
        <div class="notice notice-error" role="alert">
          <p>
            <strong>These choices were not saved:</strong> {props.error.message}.
          </p>
          <p class="error-code">
            Error code: <code>{props.error.code}</code>
          </p>
        </div>
      )}
      {!listed && (
        <Notice>
          Your projects could not be listed right now: each can run for all projects or be turned off.
        </Notice>
      )}
      <form method="post" action={props.action}>
        <Hidden name="csrf" value={props.csrf} />
        {props.items.map((item, i) => {
          const only = typeof item.runs !== "string" ? item.runs : null;
          // Projects kept before, that the listing does not show, stay visible when there is no listing.
          const projects = listed ? props.projects.projects : (only ?? []).map((id) => ({ id, name: id }));
          const chosen = projects.filter((p) => only?.includes(p.id)).length;
          return (
            <fieldset class="group run-item">
              <legend>
                <span class="mono">{item.name}</span> <span class="tag">{KIND_LABEL[item.kind]}</span>
              </legend>
              <p class="hint run-what">{item.description}</p>
              <Hidden name={`item-${i}`} value={`${item.kind}:${item.name}`} />
              <div class="choice-row">
                <Check
                  name={`runs-${i}`}
                  value="all"
                  radio
                  label="All projects"
                  checked={item.runs === "all"}
                />
                {projects.length > 0 && (
                  <Check
                    name={`runs-${i}`}
                    value="only"
                    radio
                    label="Only these projects"
                    checked={only !== null}
                  />
                )}
                <Check name={`runs-${i}`} value="off" radio label="Off" checked={item.runs === "off"} />
              </div>
              {projects.length > 0 && (
                <details open={only !== null}>
                  <summary>Choose projects{chosen > 0 ? ` (${chosen} chosen)` : ""}</summary>
                  <div class="checks choices">
                    {projects.map((p) => (
                      <Check
                        name={`projects-${i}`}
                        value={p.id}
                        label={p.name}
                        checked={only?.includes(p.id) ?? false}
                      />
                    ))}
                  </div>
                </details>
              )}
            </fieldset>
          );
        })}
        <div class="actions">
          <Button>Save actions and checks</Button>
        </div>
      </form>
    </section>
  );
}
