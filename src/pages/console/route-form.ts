import type { RouteConfig } from "../../config/routing-schema.js";
import {
  FILTER_OPERATORS,
  type FilterGroup,
  type FilterNode,
  type FilterOperator,
} from "../../core/filter.js";
import type { ConsoleForm } from "./guard.js";

/**
 * The route editor's state as its form carries it. The editor runs without script, so every change
 * to the filter's shape ("Add condition", "Add group", "Remove") is a submit that posts this whole
 * state and gets the form back with the change made. Filter fields are named by their node's path:
 * `filter.logic` is the top group, `filter.1.0.field` the first condition of its second node.
 */
export interface RouteFormState {
  slug: string;
  sources: string[];
  /** As typed: event types separated by commas or spaces. */
  types: string;
  destinations: string[];
  filter: FormGroup;
  /** `none`, `code`, or `template:<name>`. */
  transform: string;
  code: string;
  /** A template's options as JSON text. */
  options: string;
}

/** A condition as typed: the value is text until the route is built. */
export interface FormCondition {
  kind: "condition";
  field: string;
  operator: FilterOperator;
  value: string;
}

/** An and/or group of conditions and groups. */
export interface FormGroup {
  kind: "group";
  logic: "and" | "or";
  nodes: FormNode[];
}

export type FormNode = FormCondition | FormGroup;

/** How deep groups nest and how many nodes a group holds in the form (the page stays usable). */
const MAX_DEPTH = 4;
const MAX_NODES = 50;

/** The operators that take no value. */
export const VALUELESS: ReadonlySet<FilterOperator> = new Set(["exists", "not_exists"]);
/** The operators whose value is a list. */
export const LIST_OPERATORS: ReadonlySet<FilterOperator> = new Set(["in", "not_in"]);
/** The operators whose value is always text (never read as a number or boolean). */
const TEXT_OPERATORS: ReadonlySet<FilterOperator> = new Set(["starts_with", "ends_with", "matches"]);

const blankCondition = (): FormCondition => ({ kind: "condition", field: "", operator: "equals", value: "" });

/** A new route's form: one empty condition to start from. */
export function emptyForm(): RouteFormState {
  return {
    slug: "",
    sources: [],
    types: "",
    destinations: [],
    filter: { kind: "group", logic: "and", nodes: [] },
    transform: "none",
    code: "",
    options: "",
  };
}

/** The form of a stored route. */
export function formOf(route: RouteConfig): RouteFormState {
  const t = route.transform;
  return {
    slug: route.slug,
    sources: [...route.source],
    types: (route.types ?? []).join(", "),
    destinations: [...route.destinations],
    filter: route.filter ? groupOf(route.filter) : { kind: "group", logic: "and", nodes: [] },
    transform: t?.template ? `template:${t.template}` : t?.code !== undefined ? "code" : "none",
    code: t?.code ?? "",
    options: t?.options ? JSON.stringify(t.options, null, 2) : "",
  };
}

function groupOf(group: FilterGroup): FormGroup {
  return { kind: "group", logic: group.logic, nodes: group.conditions.map(nodeOf) };
}

function nodeOf(node: FilterNode): FormNode {
  if ("conditions" in node) return groupOf(node);
  return {
    kind: "condition",
    field: node.field,
    operator: node.operator,
    value: !("value" in node)
      ? ""
      : TEXT_OPERATORS.has(node.operator)
        ? String(node.value)
        : valueText(node.value),
  };
}

/** A value as the form shows it: text as itself unless it would read back as something else. */
export function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map(valueText).join(", ");
  if (typeof value === "string") {
    return readScalar(value) === value && !value.includes(",") ? value : JSON.stringify(value);
  }
  return JSON.stringify(value);
}

/** The state a posted form carries. */
export function readForm(form: ConsoleForm): RouteFormState {
  const text = (name: string) => {
    const v = form[name];
    return typeof v === "string" ? v : Array.isArray(v) ? (v[0] ?? "") : "";
  };
  const list = (name: string) => {
    const v = form[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  return {
    slug: text("slug").trim(),
    sources: list("source"),
    types: text("types"),
    destinations: list("destinations"),
    filter: readGroup(text, "filter", 0),
    transform: text("transform") || "none",
    code: text("code"),
    options: text("options"),
  };
}

function readGroup(text: (name: string) => string, path: string, depth: number): FormGroup {
  const nodes: FormNode[] = [];
  for (let i = 0; i < MAX_NODES; i++) {
    const at = `${path}.${i}`;
    if (depth + 1 < MAX_DEPTH && text(`${at}.logic`)) nodes.push(readGroup(text, at, depth + 1));
    else if (text(`${at}.operator`)) {
      const operator = text(`${at}.operator`);
      nodes.push({
        kind: "condition",
        field: text(`${at}.field`).trim(),
        operator: (FILTER_OPERATORS as readonly string[]).includes(operator)
          ? (operator as FilterOperator)
          : "equals",
        value: text(`${at}.value`),
      });
    }
  }
  return { kind: "group", logic: text(`${path}.logic`) === "or" ? "or" : "and", nodes };
}

/** A change the form's buttons ask for (`add-condition:filter.1`, `add-group:filter`, `remove:filter.0`). */
export function applyEdit(state: RouteFormState, op: string): RouteFormState {
  const [verb, path = ""] = op.split(":", 2);
  const indices =
    path === "filter"
      ? []
      : path
          .replace(/^filter\./, "")
          .split(".")
          .map(Number);
  if (indices.some((i) => !Number.isInteger(i) || i < 0)) return state;
  const filter = structuredClone(state.filter);
  if (verb === "remove") {
    const last = indices.pop();
    const parent = groupAt(filter, indices);
    if (parent && last !== undefined) parent.nodes.splice(last, 1);
  } else {
    const group = groupAt(filter, indices);
    if (group && group.nodes.length < MAX_NODES) {
      if (verb === "add-condition") group.nodes.push(blankCondition());
      else if (verb === "add-group" && indices.length + 1 < MAX_DEPTH)
        group.nodes.push({ kind: "group", logic: "or", nodes: [blankCondition(), blankCondition()] });
    }
  }
  return { ...state, filter };
}

function groupAt(root: FormGroup, indices: readonly number[]): FormGroup | undefined {
  let group: FormGroup = root;
  for (const i of indices) {
    const next = group.nodes[i];
    if (next?.kind !== "group") return undefined;
    group = next;
  }
  return group;
}

/** Whether another group may be added inside the group at `path`. */
export function canNest(path: string): boolean {
  return path.split(".").length < MAX_DEPTH;
}

/**
 * The route document the form describes, in the config file's form, for the same operations the
 * API uses. Empty conditions (no field typed) are left out; an empty filter means none.
 */
export function routeDocument(state: RouteFormState): Record<string, unknown> {
  const types = state.types
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter(Boolean);
  const filter = groupDocument(state.filter);
  return {
    slug: state.slug,
    source: state.sources,
    ...(types.length > 0 ? { types } : {}),
    ...(filter ? { filter } : {}),
    ...transformDocument(state),
    destinations: state.destinations,
  };
}

function transformDocument(state: RouteFormState): { transform?: Record<string, unknown> } {
  if (state.transform === "code") return { transform: { code: state.code } };
  if (state.transform.startsWith("template:")) {
    const template = state.transform.slice("template:".length);
    const text = state.options.trim();
    let options: unknown;
    try {
      options = text ? JSON.parse(text) : undefined;
    } catch {
      // Passed on as text: the schema names it (options is not an object).
      options = text;
    }
    return { transform: { template, ...(options !== undefined ? { options } : {}) } };
  }
  return {};
}

function groupDocument(group: FormGroup): Record<string, unknown> | null {
  const conditions = group.nodes
    .map((n) => (n.kind === "group" ? groupDocument(n) : conditionDocument(n)))
    .filter((n) => n !== null);
  return conditions.length > 0 ? { logic: group.logic, conditions } : null;
}

function conditionDocument(c: FormCondition): Record<string, unknown> | null {
  if (c.field === "" && c.value.trim() === "") return null;
  if (VALUELESS.has(c.operator)) return { field: c.field, operator: c.operator };
  const value = LIST_OPERATORS.has(c.operator)
    ? readList(c.value)
    : TEXT_OPERATORS.has(c.operator)
      ? c.value
      : readScalar(c.value.trim());
  return { field: c.field, operator: c.operator, value };
}

/** Text read as a JSON scalar when it is one (`42`, `true`, `null`, `"quoted"`), else as itself. */
export function readScalar(text: string): unknown {
  if (text === "") return text;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed === null || ["string", "number", "boolean"].includes(typeof parsed) ? parsed : text;
  } catch {
    return text;
  }
}

/** A list: a JSON array, or values separated by commas (each read as {@link readScalar} does). */
function readList(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // Not JSON after all: read as values separated by commas.
    }
  }
  // A quoted item may hold a comma: `production, "staging, eu"` is two values.
  const items = trimmed.match(/\s*("(?:[^"\\]|\\.)*"|[^,]*)\s*(?:,|$)/g) ?? [];
  return items
    .map((item) => item.replace(/,$/, "").trim())
    .filter(Boolean)
    .map(readScalar);
}

/**
 * The form field an issue of the operations belongs to, from its path (`filter.conditions[1].conditions[0].value`
 * → `filter.1.0`; `destinations[0]` → `destinations`), so the page shows it beside that field.
 */
export function issueField(issue: string): string {
  const path = issue.split(":", 1)[0] ?? "";
  if (path.startsWith("filter")) {
    const indices = [...path.matchAll(/conditions\[(\d+)\]/g)].map((m) => m[1]);
    return ["filter", ...indices].join(".");
  }
  if (path.startsWith("transform")) return "transform";
  const head = path.split(/[.[]/, 1)[0] ?? "";
  return head === "source" || head === "types" || head === "destinations" || head === "slug" ? head : "";
}
