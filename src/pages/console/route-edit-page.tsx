import { FILTER_OPERATORS } from "../../core/filter.js";
import type { RouteTestResult } from "../../routing/route-test.js";
import { Button, Check, ErrorList, Notice } from "../components.js";
import { tenantQuery } from "./guard.js";
import { ConsoleLayout } from "./layout.js";
import { canNest, type FormGroup, type RouteFormState, VALUELESS } from "./route-form.js";
import { type RouteTestAsk, RouteTestAskFields, RouteTestResultPanel } from "./route-test-result.js";

/** What the editor shows beside its form: choices, errors by field, a test's answer. */
export interface RouteEditView {
  csrf: string;
  tenant: string;
  /** Null for a new route. */
  slug: string | null;
  state: RouteFormState;
  sources: readonly string[];
  destinations: readonly string[];
  templates: readonly string[];
  sampleTypes: readonly string[];
  /** The operations' issues, by the form field they belong to (`""`: the route as a whole). */
  issues: ReadonlyMap<string, readonly string[]>;
  ask: RouteTestAsk;
  test?: { result: RouteTestResult; against: string } | { error: string };
  notice?: string;
}

/** The route editor: one form, whose buttons save, test, or change the filter's shape and come back. */
export function RouteEditPage(props: RouteEditView) {
  const { state, issues } = props;
  const q = tenantQuery(props.tenant);
  const action = props.slug === null ? `/routes/new${q}` : `/routes/${encodeURIComponent(props.slug)}${q}`;
  const general = issues.get("") ?? [];
  const title = props.slug === null ? "New route" : `Route ${props.slug}`;
  const fieldErrors = (name: string) => issues.get(name) ?? [];
  return (
    <ConsoleLayout title={title} section="/routes" csrf={props.csrf}>
      <p>
        <a href={`/routes${q}`}>All routes</a>
      </p>
      <h1>{title}</h1>
      {props.notice && <Notice tone="success">{props.notice}</Notice>}
      <ErrorList
        errors={issues.size > 0 ? ["The route was not saved: see the fields marked below.", ...general] : []}
      />
      <form method="post" action={action} class="route-form">
        {/* Enter in a field saves: a form's first submit button, hidden or not, is the one Enter presses. */}
        <button type="submit" name="op" value="save" hidden>
          Save
        </button>
        <input type="hidden" name="csrf" value={props.csrf} />
        <div class="panel">
          {props.slug === null ? (
            <TextField
              name="slug"
              label="Slug"
              value={state.slug}
              errors={fieldErrors("slug")}
              hint="Letters, digits and dashes; it names the route and cannot change."
            />
          ) : (
            <input type="hidden" name="slug" value={state.slug} />
          )}
          <Choices
            name="source"
            legend="Sources"
            hint="Events from these sources are matched."
            options={[...new Set([...props.sources, ...state.sources])]}
            checked={state.sources}
            errors={fieldErrors("source")}
          />
          <TextField
            name="types"
            label="Event types"
            value={state.types}
            errors={fieldErrors("types")}
            hint="Separated by commas; * matches any run of characters (deployment.*). Empty: every type."
          />
          <Choices
            name="destinations"
            legend="Destinations"
            options={[...new Set([...props.destinations, ...state.destinations])]}
            checked={state.destinations}
            errors={fieldErrors("destinations")}
          />
        </div>
        <fieldset class="panel">
          <legend>Filter</legend>
          <p class="hint filter-help">
            Fields are paths in the event (<code>payload.target</code>), or <code>type</code> and{" "}
            <code>source</code>. Values are text; <code>42</code>, <code>true</code>, <code>null</code> are
            read as JSON (quote them for text). For in and not in, separate values with commas.
          </p>
          <GroupEditor group={state.filter} path="filter" issues={issues} />
        </fieldset>
        <fieldset class="panel">
          <legend>Transform</legend>
          <div class="field">
            <label for="field-transform">Reshape the event with</label>
            <select id="field-transform" name="transform">
              <option value="none" selected={state.transform === "none"}>
                Nothing: send the event as it is
              </option>
              <option value="code" selected={state.transform === "code"}>
                Your JavaScript (below)
              </option>
              {props.templates.map((t) => (
                <option value={`template:${t}`} selected={state.transform === `template:${t}`}>
                  The {t} template (options below)
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="field-code">JavaScript</label>
            <textarea
              id="field-code"
              name="code"
              rows={10}
              class="mono code"
              spellcheck={false}
              aria-invalid={fieldErrors("transform").length ? "true" : undefined}
              aria-describedby={fieldErrors("transform").length ? "field-transform-error" : undefined}
            >
              {state.code}
            </textarea>
            <p class="hint">
              Defines <code>function transform(event, meta)</code>; return the body to send, or null to skip.
            </p>
            <FieldErrors id="field-transform-error" errors={fieldErrors("transform")} />
          </div>
          <div class="field">
            <label for="field-options">Template options (JSON)</label>
            <textarea id="field-options" name="options" rows={3} class="mono code" spellcheck={false}>
              {state.options}
            </textarea>
          </div>
        </fieldset>
        <div class="actions">
          <Button name="op" value="save">
            {props.slug === null ? "Create route" : "Save route"}
          </Button>
        </div>
        <fieldset class="panel">
          <legend>Test this route</legend>
          <p class="hint">Tests the route as this form has it, saved or not. Nothing is sent.</p>
          <div class="filters test-ask">
            <RouteTestAskFields sampleTypes={props.sampleTypes} ask={props.ask} />
            <div>
              <Button name="op" value="test" variant="secondary">
                Test this route
              </Button>
            </div>
          </div>
        </fieldset>
      </form>
      {props.test &&
        ("error" in props.test ? (
          <div class="notice notice-error" role="alert">
            <p>The test could not run: {props.test.error}</p>
          </div>
        ) : (
          <RouteTestResultPanel result={props.test.result} against={props.test.against} />
        ))}
      {props.slug !== null && (
        <form
          method="post"
          action={`/routes/${encodeURIComponent(props.slug)}/delete${q}`}
          class="panel danger-zone"
        >
          <input type="hidden" name="csrf" value={props.csrf} />
          <p>Deleting the route stops new deliveries through it; deliveries made already stay.</p>
          <Button variant="danger">Delete route {props.slug}</Button>
        </form>
      )}
    </ConsoleLayout>
  );
}

function GroupEditor(props: {
  group: FormGroup;
  path: string;
  issues: ReadonlyMap<string, readonly string[]>;
}) {
  const { group, path } = props;
  const id = `f-${path.replaceAll(".", "-")}`;
  return (
    <div class={path === "filter" ? "filter-group" : "filter-group filter-group-nested"}>
      <div class="field filter-logic">
        <label for={`${id}-logic`}>
          {path === "filter" ? "An event passes when it matches" : "This group holds when"}
        </label>
        <select id={`${id}-logic`} name={`${path}.logic`}>
          <option value="and" selected={group.logic === "and"}>
            all of these (AND)
          </option>
          <option value="or" selected={group.logic === "or"}>
            any of these (OR)
          </option>
        </select>
      </div>
      {group.nodes.length === 0 && <p class="hint">No conditions: every event passes the filter.</p>}
      <ol class="filter-nodes">
        {group.nodes.map((node, i) => {
          const at = `${path}.${i}`;
          const nid = `f-${at.replaceAll(".", "-")}`;
          return node.kind === "group" ? (
            <li>
              <GroupEditor group={node} path={at} issues={props.issues} />
              <FieldErrors id={`${nid}-error`} errors={props.issues.get(at) ?? []} />
              <Button name="op" value={`remove:${at}`} variant="secondary">
                Remove this group<span class="visually-hidden"> ({ordinal(at)})</span>
              </Button>
            </li>
          ) : (
            <li class="condition">
              <div class="field">
                <label for={`${nid}-field`}>Field</label>
                <input id={`${nid}-field`} name={`${at}.field`} value={node.field} class="mono" />
              </div>
              <div class="field">
                <label for={`${nid}-operator`}>Operator</label>
                <select id={`${nid}-operator`} name={`${at}.operator`}>
                  {FILTER_OPERATORS.map((o) => (
                    <option value={o} selected={node.operator === o}>
                      {o.replace("_", " ")}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for={`${nid}-value`}>Value</label>
                <input
                  id={`${nid}-value`}
                  name={`${at}.value`}
                  value={node.value}
                  class="mono"
                  placeholder={VALUELESS.has(node.operator) ? "(none needed)" : ""}
                  aria-invalid={props.issues.has(at) ? "true" : undefined}
                  aria-describedby={props.issues.has(at) ? `${nid}-error` : undefined}
                />
              </div>
              <div class="condition-remove">
                <Button name="op" value={`remove:${at}`} variant="secondary">
                  Remove<span class="visually-hidden"> condition {ordinal(at)}</span>
                </Button>
              </div>
              <FieldErrors id={`${nid}-error`} errors={props.issues.get(at) ?? []} />
            </li>
          );
        })}
      </ol>
      <div class="filter-buttons">
        <Button name="op" value={`add-condition:${path}`} variant="secondary">
          Add condition
        </Button>
        {canNest(path) && (
          <Button name="op" value={`add-group:${path}`} variant="secondary">
            Add group
          </Button>
        )}
      </div>
    </div>
  );
}

/** A node's place for its Remove button's name: `filter.1.2` is condition 2.3 (third in the second). */
function ordinal(path: string): string {
  return path
    .split(".")
    .slice(1)
    .map((i) => Number(i) + 1)
    .join(".");
}

function TextField(props: {
  name: string;
  label: string;
  value: string;
  hint?: string;
  errors: readonly string[];
}) {
  const id = `field-${props.name}`;
  const described = [props.hint ? `${id}-hint` : "", props.errors.length ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        value={props.value}
        aria-invalid={props.errors.length ? "true" : undefined}
        aria-describedby={described || undefined}
      />
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      <FieldErrors id={`${id}-error`} errors={props.errors} />
    </div>
  );
}

function Choices(props: {
  name: string;
  legend: string;
  hint?: string;
  options: readonly string[];
  checked: readonly string[];
  errors: readonly string[];
}) {
  return (
    <fieldset class="field route-choices">
      <legend>{props.legend}</legend>
      {props.hint && <p class="hint">{props.hint}</p>}
      {props.options.length === 0 && <p class="hint">None to choose from yet.</p>}
      <div class="choice-row">
        {props.options.map((o) => (
          <Check name={props.name} value={o} label={o} checked={props.checked.includes(o)} />
        ))}
      </div>
      <FieldErrors id={`field-${props.name}-error`} errors={props.errors} />
    </fieldset>
  );
}

function FieldErrors(props: { id: string; errors: readonly string[] }) {
  if (props.errors.length === 0) return null;
  return (
    <p class="field-error" id={props.id}>
      {props.errors.join("; ")}
    </p>
  );
}
