import { describe, expect, it } from "vitest";
import { routeSchema } from "../../src/config/routing-schema.js";
import { filterText } from "../../src/pages/console/filter-text.js";
import {
  applyEdit,
  emptyForm,
  formOf,
  issueField,
  readForm,
  routeDocument,
} from "../../src/pages/console/route-form.js";

// The route editor's form state without a browser: what its fields read as, the filter's shape
// changed by its buttons, and a stored route's filter round-tripping through the form unchanged.

const route = routeSchema.parse({
  slug: "prod",
  source: "vercel",
  types: ["deployment.*"],
  filter: {
    logic: "and",
    conditions: [
      { field: "type", operator: "equals", value: "deployment.error" },
      {
        logic: "or",
        conditions: [
          { field: "payload.target", operator: "in", value: ["production", "staging, eu"] },
          { field: "payload.attempt", operator: "gte", value: 3 },
          { field: "payload.code", operator: "equals", value: "42" },
          { field: "payload.flag", operator: "equals", value: true },
          { field: "payload.name", operator: "starts_with", value: "123" },
          { field: "payload.gone", operator: "not_exists" },
        ],
      },
    ],
  },
  destinations: ["hooks"],
});

/** The form's fields as a browser posts them. */
function posted(state: ReturnType<typeof formOf>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {
    slug: state.slug,
    source: state.sources,
    types: state.types,
    destinations: state.destinations,
    transform: state.transform,
    code: state.code,
    options: state.options,
  };
  const walk = (group: typeof state.filter, path: string) => {
    out[`${path}.logic`] = group.logic;
    group.nodes.forEach((node, i) => {
      const at = `${path}.${i}`;
      if (node.kind === "group") walk(node, at);
      else
        Object.assign(out, {
          [`${at}.field`]: node.field,
          [`${at}.operator`]: node.operator,
          [`${at}.value`]: node.value,
        });
    });
  };
  walk(state.filter, "filter");
  return out;
}

describe("the route form", () => {
  it("round-trips a stored route's filter, types and values of every kind", () => {
    const state = readForm(posted(formOf(route)));
    expect(state.filter.nodes[1]).toMatchObject({ kind: "group", logic: "or" });
    const doc = routeDocument(state);
    expect(routeSchema.parse(doc)).toEqual(route);
  });

  it("adds conditions and groups where asked, and removes them", () => {
    let state = applyEdit(emptyForm(), "add-condition:filter");
    state = applyEdit(state, "add-group:filter");
    expect(state.filter.nodes.map((n) => n.kind)).toEqual(["condition", "group"]);
    state = applyEdit(state, "add-condition:filter.1");
    expect(state.filter.nodes[1]).toMatchObject({ logic: "or", nodes: [{}, {}, {}] });
    state = applyEdit(state, "remove:filter.1.0");
    state = applyEdit(state, "remove:filter.0");
    expect(state.filter.nodes).toMatchObject([{ kind: "group", nodes: [{}, {}] }]);
    // A path that is not there changes nothing.
    expect(applyEdit(state, "remove:filter.7.2")).toEqual(state);
    expect(applyEdit(state, "add-condition:filter.x")).toEqual(state);
  });

  it("leaves empty conditions out, and no filter at all when none is left", () => {
    const state = applyEdit(applyEdit(emptyForm(), "add-condition:filter"), "add-group:filter");
    expect(routeDocument(state)).not.toHaveProperty("filter");
  });

  it("names the field each issue of the operations belongs to", () => {
    expect(issueField("filter.conditions[1].conditions[0].value: expected a number")).toBe("filter.1.0");
    expect(issueField('destinations[0]: no destination "x"')).toBe("destinations");
    expect(issueField("transform.code: SyntaxError")).toBe("transform");
    expect(issueField("something else")).toBe("");
  });

  it("reads a filter in words", () => {
    expect(filterText(route.filter ?? { logic: "and", conditions: [] })).toBe(
      'type equals deployment.error AND (payload.target in [production, "staging, eu"] OR payload.attempt gte 3 OR payload.code equals "42" OR payload.flag equals true OR payload.name starts with "123" OR payload.gone not exists)',
    );
  });
});
