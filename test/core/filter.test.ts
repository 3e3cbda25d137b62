import { describe, expect, it } from "vitest";
import {
  compileFilter,
  FilterError,
  type FilterGroupInput,
  type FilterSubject,
  filterGroupSchema,
} from "../../src/core/filter.js";
import { normalizeEventType } from "../../src/vercel/index.js";

const normalizeType = (t: string) => normalizeEventType(t).canonical;

const body = {
  id: "evt_1",
  type: "deployment.error",
  createdAt: Date.parse("2024-06-01T12:00:00Z"),
  region: "iad1",
  payload: {
    target: "production",
    name: "shop",
    count: 5,
    countText: "5",
    flag: true,
    nothing: null,
    when: "2024-06-01T12:00:00Z",
    alias: ["shop.example.com", "www.example.com"],
    tags: ["a", 1, true],
    deployment: { meta: { githubCommitRef: "feat/filters" } },
  },
};

const subject: FilterSubject = {
  type: "deployment.error",
  originalType: "deployment.error",
  source: "vercel-prod",
  body,
};

type Condition = FilterGroupInput["conditions"][number];

function matchOne(condition: Condition, s: FilterSubject = subject): boolean {
  return compileFilter({ filter: { logic: "and", conditions: [condition] } }).match(s);
}

describe("filter operators", () => {
  const cases: [string, Condition, boolean][] = [
    ["equals string", { field: "payload.target", operator: "equals", value: "production" }, true],
    ["equals other string", { field: "payload.target", operator: "equals", value: "preview" }, false],
    ["equals number vs numeric string", { field: "payload.countText", operator: "equals", value: 5 }, false],
    ["equals string vs number", { field: "payload.count", operator: "equals", value: "5" }, false],
    ["equals number", { field: "payload.count", operator: "equals", value: 5 }, true],
    ["equals boolean", { field: "payload.flag", operator: "equals", value: true }, true],
    ["equals null", { field: "payload.nothing", operator: "equals", value: null }, true],
    ["equals on an object", { field: "payload.deployment", operator: "equals", value: "x" }, false],
    ["equals missing", { field: "payload.nope", operator: "equals", value: "x" }, false],
    ["not_equals differing", { field: "payload.target", operator: "not_equals", value: "preview" }, true],
    ["not_equals same", { field: "payload.target", operator: "not_equals", value: "production" }, false],
    ["not_equals type mismatch", { field: "payload.count", operator: "not_equals", value: "5" }, true],
    ["not_equals missing", { field: "payload.nope", operator: "not_equals", value: "x" }, true],
    ["contains substring", { field: "payload.target", operator: "contains", value: "duct" }, true],
    ["contains absent substring", { field: "payload.target", operator: "contains", value: "xyz" }, false],
    [
      "contains array member",
      { field: "payload.alias", operator: "contains", value: "www.example.com" },
      true,
    ],
    ["contains array non-member", { field: "payload.alias", operator: "contains", value: "www" }, false],
    ["contains array strict", { field: "payload.tags", operator: "contains", value: "1" }, false],
    ["contains array number", { field: "payload.tags", operator: "contains", value: 1 }, true],
    ["contains number in string", { field: "payload.countText", operator: "contains", value: 5 }, false],
    ["contains on a number", { field: "payload.count", operator: "contains", value: "5" }, false],
    ["contains missing", { field: "payload.nope", operator: "contains", value: "x" }, false],
    ["not_contains absent", { field: "payload.alias", operator: "not_contains", value: "x.com" }, true],
    ["not_contains present", { field: "payload.target", operator: "not_contains", value: "prod" }, false],
    ["not_contains missing", { field: "payload.nope", operator: "not_contains", value: "x" }, true],
    [
      "starts_with",
      { field: "payload.deployment.meta.githubCommitRef", operator: "starts_with", value: "feat/" },
      true,
    ],
    ["starts_with no", { field: "payload.target", operator: "starts_with", value: "pre" }, false],
    ["starts_with number", { field: "payload.count", operator: "starts_with", value: "5" }, false],
    ["starts_with missing", { field: "payload.nope", operator: "starts_with", value: "" }, false],
    ["ends_with", { field: "payload.alias.0", operator: "ends_with", value: ".example.com" }, true],
    ["ends_with no", { field: "payload.target", operator: "ends_with", value: "prod" }, false],
    ["ends_with array", { field: "payload.alias", operator: "ends_with", value: ".com" }, false],
    ["in", { field: "region", operator: "in", value: ["sfo1", "iad1"] }, true],
    ["in no", { field: "region", operator: "in", value: ["sfo1"] }, false],
    ["in strict", { field: "payload.count", operator: "in", value: ["5"] }, false],
    ["in object", { field: "payload.deployment", operator: "in", value: ["x"] }, false],
    ["in missing", { field: "payload.nope", operator: "in", value: ["x"] }, false],
    ["not_in", { field: "region", operator: "not_in", value: ["sfo1"] }, true],
    ["not_in listed", { field: "region", operator: "not_in", value: ["iad1"] }, false],
    ["not_in missing", { field: "payload.nope", operator: "not_in", value: ["x"] }, true],
    ["exists", { field: "payload.target", operator: "exists" }, true],
    ["exists null", { field: "payload.nothing", operator: "exists" }, true],
    ["exists missing", { field: "payload.nope", operator: "exists" }, false],
    ["not_exists missing", { field: "payload.nope", operator: "not_exists" }, true],
    ["not_exists present", { field: "payload.nothing", operator: "not_exists" }, false],
    ["gt", { field: "payload.count", operator: "gt", value: 4 }, true],
    ["gt equal", { field: "payload.count", operator: "gt", value: 5 }, false],
    ["gte equal", { field: "payload.count", operator: "gte", value: 5 }, true],
    ["gte no", { field: "payload.count", operator: "gte", value: 6 }, false],
    ["lt", { field: "payload.count", operator: "lt", value: 6 }, true],
    ["lt equal", { field: "payload.count", operator: "lt", value: 5 }, false],
    ["lte equal", { field: "payload.count", operator: "lte", value: 5 }, true],
    ["lte no", { field: "payload.count", operator: "lte", value: 4 }, false],
    ["gt numeric string", { field: "payload.countText", operator: "gt", value: 1 }, false],
    ["gt missing", { field: "payload.nope", operator: "gt", value: 1 }, false],
    ["lt missing", { field: "payload.nope", operator: "lt", value: 1 }, false],
    ["gt date string", { field: "payload.when", operator: "gt", value: "2024-05-31" }, true],
    ["lt date string", { field: "payload.when", operator: "lt", value: "2024-05-31" }, false],
    [
      "gte same instant, other offset",
      { field: "payload.when", operator: "gte", value: "2024-06-01T14:00:00+02:00" },
      true,
    ],
    [
      "lte date vs epoch number",
      { field: "createdAt", operator: "lte", value: "2024-06-01T12:00:00Z" },
      true,
    ],
    ["gt date vs epoch number", { field: "createdAt", operator: "gt", value: "2024-06-01T12:00:00Z" }, false],
    ["gt date vs non-date string", { field: "payload.target", operator: "gt", value: "2024-01-01" }, false],
    ["gt number vs date string", { field: "payload.when", operator: "gt", value: 0 }, false],
    [
      "matches",
      { field: "payload.deployment.meta.githubCommitRef", operator: "matches", value: "^feat/[a-z]+$" },
      true,
    ],
    ["matches unanchored", { field: "payload.target", operator: "matches", value: "duc" }, true],
    ["matches no", { field: "payload.target", operator: "matches", value: "^prev" }, false],
    [
      "matches case-insensitive flag",
      { field: "payload.target", operator: "matches", value: "(?i)^PROD" },
      true,
    ],
    ["matches number", { field: "payload.count", operator: "matches", value: "5" }, false],
    ["matches missing", { field: "payload.nope", operator: "matches", value: ".*" }, false],
    ["source", { field: "source", operator: "equals", value: "vercel-prod" }, true],
    ["body id", { field: "id", operator: "equals", value: "evt_1" }, true],
    ["array index out of range", { field: "payload.alias.5", operator: "exists" }, false],
    ["non-numeric index into array", { field: "payload.alias.length", operator: "exists" }, false],
    ["path through a string", { field: "payload.target.length", operator: "exists" }, false],
  ];

  it.each(cases)("%s", (_name, condition, expected) => {
    expect(matchOne(condition)).toBe(expected);
  });

  it("treats __proto__, constructor and prototype segments as missing", () => {
    for (const field of [
      "__proto__",
      "payload.__proto__",
      "constructor",
      "payload.constructor.name",
      "prototype",
    ]) {
      expect(matchOne({ field, operator: "exists" })).toBe(false);
      expect(matchOne({ field, operator: "not_exists" })).toBe(true);
    }
    // Even when the parsed JSON really has such an own key (JSON.parse creates one for "__proto__").
    const hostile = { ...subject, body: JSON.parse('{"__proto__": {"x": 1}, "constructor": "c"}') };
    expect(matchOne({ field: "__proto__.x", operator: "equals", value: 1 }, hostile)).toBe(false);
    expect(matchOne({ field: "constructor", operator: "equals", value: "c" }, hostile)).toBe(false);
  });

  it("never throws at match time, whatever the body", () => {
    const filter = compileFilter({
      filter: {
        logic: "or",
        conditions: [
          { field: "payload.a.b", operator: "matches", value: "x" },
          { field: "payload.a", operator: "gt", value: "2024-01-01" },
        ],
      },
    });
    for (const weird of [
      null,
      undefined,
      42,
      "text",
      [],
      [1, 2],
      { payload: null },
      { payload: { a: [] } },
    ]) {
      expect(filter.match({ ...subject, body: weird })).toBe(false);
      expect(() => filter.explain({ ...subject, body: weird })).not.toThrow();
    }
  });

  it("runs a catastrophic-backtracking pattern in linear time", () => {
    const filter = compileFilter({
      filter: { logic: "and", conditions: [{ field: "payload.s", operator: "matches", value: "(a+)+$" }] },
    });
    const long = `${"a".repeat(50_000)}!`;
    // A backtracking engine would not return from this in our lifetime; RE2 does at once.
    expect(filter.match({ ...subject, body: { payload: { s: long } } })).toBe(false);
    expect(filter.match({ ...subject, body: { payload: { s: "aaa" } } })).toBe(true);
  });
});

describe("filter groups", () => {
  const cond = (value: string): Condition => ({ field: "payload.target", operator: "equals", value });
  const T = cond("production");
  const F = cond("preview");

  it("combines with and / or, and defaults to and", () => {
    const match = (filter: FilterGroupInput) => compileFilter({ filter }).match(subject);
    expect(match({ logic: "and", conditions: [T, T] })).toBe(true);
    expect(match({ logic: "and", conditions: [T, F] })).toBe(false);
    expect(match({ logic: "or", conditions: [F, T] })).toBe(true);
    expect(match({ logic: "or", conditions: [F, F] })).toBe(false);
    expect(match({ conditions: [T, F] })).toBe(false);
  });

  it("nests and inside or inside and", () => {
    const filter = (inner: Condition[]): FilterGroupInput => ({
      logic: "and",
      conditions: [
        { field: "type", operator: "equals", value: "deployment.error" },
        { logic: "or", conditions: [F, { logic: "and", conditions: inner }] },
      ],
    });
    expect(compileFilter({ filter: filter([T, T]) }).match(subject)).toBe(true);
    expect(compileFilter({ filter: filter([T, F]) }).match(subject)).toBe(false);
  });

  it("matches everything with neither filter nor types", () => {
    const filter = compileFilter({});
    expect(filter.match(subject)).toBe(true);
    expect(filter.match({ type: "x", originalType: "x", source: "s", body: null })).toBe(true);
    expect(filter.explain(subject)).toEqual([]);
  });
});

describe("event types", () => {
  const certHyphen: FilterSubject = {
    type: "domain.certificate-add",
    originalType: "domain.certificate-add",
    source: "v",
    body: {},
  };
  const certDot: FilterSubject = { ...certHyphen, originalType: "domain.certificate.add" };

  it("normalises filter values for the field type so either spelling matches", () => {
    for (const value of ["domain.certificate.add", "domain.certificate-add"]) {
      const filter = compileFilter(
        { filter: { logic: "and", conditions: [{ field: "type", operator: "equals", value }] } },
        { normalizeType },
      );
      expect(filter.match(certHyphen)).toBe(true);
      expect(filter.match(certDot)).toBe(true);
    }
    const inList = compileFilter(
      {
        filter: {
          logic: "and",
          conditions: [{ field: "type", operator: "in", value: ["domain.certificate.add"] }],
        },
      },
      { normalizeType },
    );
    expect(inList.match(certDot)).toBe(true);
  });

  it("matches the types shorthand: exact entries in either spelling, globs across dots", () => {
    const types = (list: string[]) => compileFilter({ types: list }, { normalizeType });
    expect(types(["domain.certificate.add"]).match(certHyphen)).toBe(true);
    expect(types(["domain.certificate-add"]).match(certDot)).toBe(true);
    expect(types(["deployment.*"]).match(subject)).toBe(true);
    expect(types(["deployment.*"]).match(certHyphen)).toBe(false);
    expect(types(["domain.*"]).match(certDot)).toBe(true);
    expect(types(["*.add"]).match(certDot)).toBe(true); // via the original spelling
    expect(types(["*.add"]).match(certHyphen)).toBe(false);
    expect(types(["*"]).match(subject)).toBe(true);
    expect(types(["deploy*error"]).match(subject)).toBe(true);
    expect(types(["project.created", "deployment.error"]).match(subject)).toBe(true);
    expect(types(["project.created"]).match(subject)).toBe(false);
    expect(types(["deployment"]).match(subject)).toBe(false);
  });

  it("requires both types and filter when both are given", () => {
    const spec = (target: string) =>
      compileFilter({
        types: ["deployment.*"],
        filter: {
          logic: "and",
          conditions: [{ field: "payload.target", operator: "equals", value: target }],
        },
      });
    expect(spec("production").match(subject)).toBe(true);
    expect(spec("preview").match(subject)).toBe(false);
    expect(
      spec("production").match({ ...subject, type: "project.created", originalType: "project.created" }),
    ).toBe(false);
  });
});

describe("explain", () => {
  it("lists every condition with its path, expectation, finding and result", () => {
    const filter = compileFilter(
      {
        types: ["domain.*"],
        filter: {
          logic: "or",
          conditions: [
            { field: "type", operator: "equals", value: "domain.certificate.add" },
            {
              logic: "and",
              conditions: [
                { field: "payload.name", operator: "exists" },
                { field: "payload.n", operator: "gt", value: 3 },
              ],
            },
          ],
        },
      },
      { normalizeType },
    );
    const s: FilterSubject = {
      type: "domain.certificate-add",
      originalType: "domain.certificate.add",
      source: "v",
      body: { payload: { n: 2 } },
    };
    expect(filter.explain(s)).toEqual([
      {
        path: "types",
        field: "type",
        operator: "types",
        value: ["domain.*"],
        found: true,
        actual: ["domain.certificate-add", "domain.certificate.add"],
        result: true,
      },
      {
        path: "filter.conditions[0]",
        field: "type",
        operator: "equals",
        value: "domain.certificate-add",
        found: true,
        actual: "domain.certificate-add",
        result: true,
      },
      {
        path: "filter.conditions[1].conditions[0]",
        field: "payload.name",
        operator: "exists",
        value: undefined,
        found: false,
        actual: undefined,
        result: false,
      },
      {
        path: "filter.conditions[1].conditions[1]",
        field: "payload.n",
        operator: "gt",
        value: 3,
        found: true,
        actual: 2,
        result: false,
      },
    ]);
    expect(filter.match(s)).toBe(true);
  });
});

describe("FilterError", () => {
  const errorOf = (fn: () => unknown): FilterError => {
    try {
      fn();
    } catch (error) {
      if (error instanceof FilterError) return error;
      throw error;
    }
    throw new Error("expected a FilterError");
  };

  it("names the path of a regex RE2 cannot compile", () => {
    const error = errorOf(() =>
      compileFilter({
        filter: {
          logic: "and",
          conditions: [
            { field: "type", operator: "exists" },
            { logic: "or", conditions: [{ field: "payload.ref", operator: "matches", value: "feat/(" }] },
          ],
        },
      }),
    );
    expect(error.path).toBe("filter.conditions[1].conditions[0].value");
    expect(error.message).toMatch(/^filter\.conditions\[1\]\.conditions\[0\]\.value: not a valid RE2/);
    // Backreferences and lookarounds need backtracking, so RE2 refuses them rather than risk a hang.
    expect(
      errorOf(() =>
        compileFilter({ filter: { conditions: [{ field: "a", operator: "matches", value: "(a)\\1" }] } }),
      ).path,
    ).toBe("filter.conditions[0].value");
  });

  it("names the path of a value the operator cannot use", () => {
    const bad = (condition: unknown) =>
      errorOf(() => compileFilter({ filter: { logic: "and", conditions: [condition] } as FilterGroupInput }));
    expect(bad({ field: "region", operator: "in", value: "iad1" }).message).toBe(
      "filter.conditions[0].value: expected a list of values",
    );
    expect(bad({ field: "createdAt", operator: "gt", value: "yesterday" }).path).toBe(
      "filter.conditions[0].value",
    );
    expect(bad({ field: "createdAt", operator: "gt", value: "2024-02-31" }).path).toBe(
      "filter.conditions[0].value",
    );
    expect(bad({ field: "createdAt", operator: "gt", value: true }).path).toBe("filter.conditions[0].value");
    expect(bad({ field: "region", operator: "equals" }).path).toBe("filter.conditions[0].value");
    expect(bad({ field: "region", operator: "equals", value: { a: 1 } }).path).toBe(
      "filter.conditions[0].value",
    );
    expect(bad({ field: "region", operator: "matches", value: 5 }).path).toBe("filter.conditions[0].value");
    expect(bad({ field: "region", operator: "exists", value: true }).message).toMatch(
      /^filter\.conditions\[0\]: /,
    );
    expect(bad({ field: "region", operator: "like", value: "x" }).message).toMatch(
      /^filter\.conditions\[0\]\.operator: expected operator to be one of equals, /,
    );
    expect(bad({ field: "a..b", operator: "exists" }).path).toBe("filter.conditions[0].field");
  });

  it("rejects an empty types list or group", () => {
    expect(errorOf(() => compileFilter({ types: [] })).path).toBe("types");
    expect(errorOf(() => compileFilter({ types: ["ok", ""] })).path).toBe("types[1]");
    expect(errorOf(() => compileFilter({ filter: { logic: "or", conditions: [] } })).path).toBe(
      "filter.conditions",
    );
  });
});

describe("filterGroupSchema", () => {
  it("reports readable errors with paths for a config loader", () => {
    const result = filterGroupSchema.safeParse({
      logic: "xor",
      conditions: [
        { field: "x", operator: "equals", value: 1 },
        { logic: "or", conditions: [{ field: "y" }] },
      ],
      extra: true,
    });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((i) => [i.path.join("."), i.message]);
    expect(issues).toContainEqual(["logic", "expected and or or"]);
    expect(issues).toContainEqual([
      "conditions.1.conditions.0.operator",
      expect.stringMatching(/^expected operator/),
    ]);
    expect(issues).toContainEqual(["", 'Unrecognized key: "extra"']);
  });
});
