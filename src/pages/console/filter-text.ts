import type { FilterGroup, FilterNode } from "../../core/filter.js";

/**
 * A route's filter in words, as the routes list shows it:
 * `type equals deployment.error AND (payload.target equals production OR payload.target equals preview)`.
 * Values print as JSON but for plain text, so a string "5" and the number 5 read differently.
 */
export function filterText(group: FilterGroup): string {
  return group.conditions.map((node) => nodeText(node)).join(group.logic === "and" ? " AND " : " OR ");
}

function nodeText(node: FilterNode): string {
  if ("conditions" in node) return node.conditions.length === 1 ? filterText(node) : `(${filterText(node)})`;
  const operator = node.operator.replace("_", " ");
  return "value" in node
    ? `${node.field} ${operator} ${valueWords(node.value)}`
    : `${node.field} ${operator}`;
}

function valueWords(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(valueWords).join(", ")}]`;
  if (typeof value === "string" && /^[^\s,()[\]"]+$/.test(value) && !/^(true|false|null|-?\d)/.test(value))
    return value;
  return JSON.stringify(value);
}
