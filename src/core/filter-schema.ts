import { z } from "zod";
import { parseIsoDate } from "./iso-date.js";

/** Every operator a filter condition may use. */
export const FILTER_OPERATORS = [
  "equals",
  "not_equals",
  "contains",
  "not_contains",
  "starts_with",
  "ends_with",
  "in",
  "not_in",
  "exists",
  "not_exists",
  "gt",
  "gte",
  "lt",
  "lte",
  "matches",
] as const;

/** One of {@link FILTER_OPERATORS}. */
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** A JSON scalar: what equals, contains and in compare against. */
export type Scalar = string | number | boolean | null;

const field = z
  .string()
  .regex(/^[^.]+(\.[^.]+)*$/, "expected a field name or a dotted path such as payload.target");

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: (issue) =>
    issue.input === undefined
      ? "a value is required for this operator"
      : "expected a string, number, boolean or null",
});

const scalarList = z
  .array(scalar, { error: "expected a list of values" })
  .min(1, "expected at least one value in the list");

const comparable = z.union(
  [
    z.number(),
    z.string().refine((s) => parseIsoDate(s) !== undefined, {
      message: "expected a number or an ISO date such as 2024-01-31 or 2024-01-31T12:00:00Z",
    }),
  ],
  { error: "expected a number or an ISO date such as 2024-01-31 or 2024-01-31T12:00:00Z" },
);

const condition = <Op extends FilterOperator, V extends z.ZodType>(
  operators: readonly [Op, ...Op[]],
  value: V,
) => z.strictObject({ field, operator: z.enum(operators), value });

/** One condition: a field, an operator and (except for exists/not_exists) the value to compare with. */
export const filterConditionSchema = z.discriminatedUnion(
  "operator",
  [
    condition(["equals", "not_equals", "contains", "not_contains"], scalar),
    condition(["starts_with", "ends_with"], z.string()),
    condition(["in", "not_in"], scalarList),
    condition(["gt", "gte", "lt", "lte"], comparable),
    // The pattern is compiled (and rejected if RE2 cannot compile it) by compileFilter.
    condition(["matches"], z.string().min(1, "expected a regular expression")),
    z.strictObject({ field, operator: z.enum(["exists", "not_exists"]) }),
  ],
  {
    error: (issue) =>
      issue.code === "invalid_union"
        ? `expected operator to be one of ${FILTER_OPERATORS.join(", ")}`
        : undefined,
  },
);

/** A validated condition. */
export type FilterCondition = z.output<typeof filterConditionSchema>;

/** A validated group: every condition must hold (`and`) or at least one (`or`); groups nest. */
export interface FilterGroup {
  logic: "and" | "or";
  conditions: FilterNode[];
}

/** A condition or a nested group. */
export type FilterNode = FilterCondition | FilterGroup;

/** A group as written in the config, before defaults (`logic` defaults to `and`). */
export interface FilterGroupInput {
  logic?: "and" | "or" | undefined;
  conditions: FilterNodeInput[];
}

/** A condition or a nested group as written in the config. */
export type FilterNodeInput = z.input<typeof filterConditionSchema> | FilterGroupInput;

/** Whether a node is a group rather than a condition. */
export function isFilterGroup(node: FilterNode): node is FilterGroup {
  return "conditions" in node;
}

// A plain z.union of group and condition reports "Invalid input" for any mistake in either; choosing
// the branch by its keys first lets each mistake be reported by the schema it belongs to. The transform
// takes `unknown`, so the config-side input type is asserted; the branch schemas check it at run time.
const filterNodeSchema = z.lazy(() =>
  z.unknown().transform((input, ctx): FilterNode => {
    const looksLikeGroup =
      typeof input === "object" && input !== null && ("conditions" in input || "logic" in input);
    const parsed = looksLikeGroup
      ? filterGroupSchema.safeParse(input)
      : filterConditionSchema.safeParse(input);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  }),
) as unknown as z.ZodType<FilterNode, FilterNodeInput>;

/** The `filter:` block of a route: a group of conditions and nested groups (strict: unknown keys are errors). */
export const filterGroupSchema: z.ZodType<FilterGroup, FilterGroupInput> = z.lazy(() =>
  z.strictObject({
    logic: z.enum(["and", "or"], { error: "expected and or or" }).default("and"),
    conditions: z
      .array(filterNodeSchema, { error: "expected a list of conditions" })
      .min(1, "a group needs at least one condition"),
  }),
);

/** The `types:` shorthand of a route: event types, `*` matching any run of characters (dots included). */
export const typePatternsSchema = z
  .array(z.string().min(1, "an event type cannot be empty"), { error: "expected a list of event types" })
  .min(1, "expected at least one event type (leave `types` out to accept every type)");
