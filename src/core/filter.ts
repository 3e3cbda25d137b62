import { type ConditionTest, compileConditionTest } from "./filter-operators.js";
import { type Lookup, lookupPath, splitPath } from "./filter-path.js";
import {
  type FilterCondition,
  type FilterGroup,
  type FilterGroupInput,
  type FilterOperator,
  filterGroupSchema,
  isFilterGroup,
  typePatternsSchema,
} from "./filter-schema.js";
import { compileTypePatterns, type TypeMatcher } from "./type-patterns.js";

export {
  FILTER_OPERATORS,
  type FilterCondition,
  type FilterGroup,
  type FilterGroupInput,
  type FilterNode,
  type FilterNodeInput,
  type FilterOperator,
  filterConditionSchema,
  filterGroupSchema,
  typePatternsSchema,
} from "./filter-schema.js";

/** What a route's filter is matched against: one stored event. */
export interface FilterSubject {
  /** The canonical type (one spelling for Vercel's two). */
  type: string;
  /** The type exactly as the sender wrote it. */
  originalType: string;
  /** The source's slug. */
  source: string;
  /** The parsed JSON envelope. */
  body: unknown;
}

/** A route's matching rules: a filter group, a `types:` list, both (both must match) or neither (all match). */
export interface FilterSpec {
  filter?: FilterGroupInput | FilterGroup | undefined;
  types?: readonly string[] | undefined;
}

/** How filter values for the field `type` are brought to their canonical spelling. */
export interface FilterOptions {
  normalizeType?: ((type: string) => string) | undefined;
  /** Every spelling of a canonical type, so a `types:` glob written in either spelling matches. */
  spellings?: ((canonical: string) => readonly string[]) | undefined;
}

/** One condition's verdict for a route tester: what was expected, what was found, whether it held. */
export interface ExplainedCondition {
  /** Where the condition sits in the route: `types`, `filter.conditions[0]`, `filter.conditions[2].conditions[1]`. */
  path: string;
  field: string;
  operator: FilterOperator | "types";
  /** The value compared with, after normalisation (absent for exists/not_exists). */
  value: unknown;
  /** Whether the field was present in the event. */
  found: boolean;
  /** The value found (undefined when not found); for `types`, the type, or [canonical, original] when they differ. */
  actual: unknown;
  result: boolean;
}

/** A route's filter, validated and ready to run; neither method throws. */
export interface CompiledFilter {
  /** Whether the event should go to the route's destinations. */
  match(subject: FilterSubject): boolean;
  /** Every condition (and the `types` check) with its result, evaluated without short-circuiting. */
  explain(subject: FilterSubject): ExplainedCondition[];
}

/** A filter that cannot work: `path` names the bad key, such as `filter.conditions[1].value`. */
export class FilterError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = "FilterError";
  }
}

type Node =
  | { kind: "group"; logic: "and" | "or"; children: Node[] }
  | { kind: "condition"; path: string; condition: FilterCondition; resolve: Resolver; test: ConditionTest };

type Resolver = (subject: FilterSubject) => Lookup;

function resolverFor(field: string): Resolver {
  if (field === "type") return (subject) => ({ found: true, value: subject.type });
  if (field === "source") return (subject) => ({ found: true, value: subject.source });
  const segments = splitPath(field);
  return (subject) => lookupPath(subject.body, segments);
}

// So `domain.certificate.add` in a filter matches an event stored as `domain.certificate-add`.
function normalizeTypeValue(condition: FilterCondition, normalize: (t: string) => string): FilterCondition {
  if (condition.field !== "type") return condition;
  const one = (v: unknown) => (typeof v === "string" ? normalize(v) : v);
  switch (condition.operator) {
    case "equals":
    case "not_equals":
      return { ...condition, value: one(condition.value) as typeof condition.value };
    case "in":
    case "not_in":
      return { ...condition, value: condition.value.map(one) as typeof condition.value };
    default:
      return condition;
  }
}

function formatPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const key of path) out += typeof key === "number" ? `[${key}]` : `.${String(key)}`;
  return out;
}

function compileGroup(group: FilterGroup, path: string, normalize: (t: string) => string): Node {
  const children = group.conditions.map((node, i): Node => {
    const childPath = `${path}.conditions[${i}]`;
    if (isFilterGroup(node)) return compileGroup(node, childPath, normalize);
    const condition = normalizeTypeValue(node, normalize);
    let test: ConditionTest;
    try {
      test = compileConditionTest(condition);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new FilterError(`${childPath}.value`, `not a valid RE2 regular expression (${detail})`);
    }
    return { kind: "condition", path: childPath, condition, resolve: resolverFor(condition.field), test };
  });
  return { kind: "group", logic: group.logic, children };
}

function evaluate(node: Node, subject: FilterSubject): boolean {
  if (node.kind === "condition") return node.test(node.resolve(subject));
  return node.logic === "and"
    ? node.children.every((child) => evaluate(child, subject))
    : node.children.some((child) => evaluate(child, subject));
}

function explainNode(node: Node, subject: FilterSubject, out: ExplainedCondition[]): void {
  if (node.kind === "group") {
    for (const child of node.children) explainNode(child, subject, out);
    return;
  }
  const found = node.resolve(subject);
  const { field, operator } = node.condition;
  out.push({
    path: node.path,
    field,
    operator,
    value: "value" in node.condition ? node.condition.value : undefined,
    found: found.found,
    actual: found.found ? found.value : undefined,
    result: node.test(found),
  });
}

/**
 * Validates a route's filter and `types:` and compiles them; throws {@link FilterError} with the path of
 * the first problem, so a bad route stops start-up rather than silently matching nothing.
 */
export function compileFilter(spec: FilterSpec, options: FilterOptions = {}): CompiledFilter {
  const normalize = options.normalizeType ?? ((type: string) => type);

  let root: Node | undefined;
  if (spec.filter !== undefined) {
    // Parsed again even when the config loader already has: a route tester may hand us raw JSON.
    const parsed = filterGroupSchema.safeParse(spec.filter);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FilterError(formatPath("filter", issue?.path ?? []), issue?.message ?? "invalid filter");
    }
    root = compileGroup(parsed.data, "filter", normalize);
  }

  let types: { patterns: readonly string[]; matches: TypeMatcher } | undefined;
  if (spec.types !== undefined) {
    const parsed = typePatternsSchema.safeParse(spec.types);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FilterError(formatPath("types", issue?.path ?? []), issue?.message ?? "invalid types");
    }
    types = {
      patterns: parsed.data,
      matches: compileTypePatterns(parsed.data, normalize, options.spellings),
    };
  }

  return {
    match(subject) {
      if (types && !types.matches(subject.type, subject.originalType)) return false;
      return root === undefined || evaluate(root, subject);
    },
    explain(subject) {
      const out: ExplainedCondition[] = [];
      if (types) {
        out.push({
          path: "types",
          field: "type",
          operator: "types",
          value: types.patterns,
          found: true,
          actual: subject.type === subject.originalType ? subject.type : [subject.type, subject.originalType],
          result: types.matches(subject.type, subject.originalType),
        });
      }
      if (root) explainNode(root, subject, out);
      return out;
    },
  };
}
