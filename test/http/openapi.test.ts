import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/http/errors.js";
import { type ApiTestApp, apiTestApp } from "../support/api-app.js";
import { OpenApiCheck } from "../support/openapi-check.js";

type Json = Record<string, unknown>;
interface Operation {
  parameters: (Json & { schema?: Json; example?: unknown; name?: string })[];
  requestBody?: { content: Record<string, { schema: Json; example?: unknown }> };
  responses: Record<
    string,
    {
      content?: Record<
        string,
        { schema: Json; example?: unknown; examples?: Record<string, { value: unknown }> }
      >;
    }
  >;
  security?: unknown[];
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: Json;
}

let t: ApiTestApp;
let doc: Document;

beforeAll(async () => {
  t = await apiTestApp();
  const res = await t.app.request("/api/v1/openapi.json");
  expect(res.status).toBe(200);
  doc = (await res.json()) as Document;
});
afterAll(() => t.close());

/** Each operation of the document, with where it is. */
function operations(): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => [path, method, op] as [string, string, Operation]),
  );
}

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(structuredClone(doc) as unknown as Json);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("is served without the admin token, and says that it is", async () => {
    const res = await t.app.request("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(doc.paths["/api/v1/openapi.json"]?.get?.security).toEqual([]);
    // Everything else still needs it.
    expect((await t.app.request("/api/v1/events")).status).toBe(401);
  });

  it("has every route the API serves, and nothing it does not", () => {
    const served = t.app.routes
      .filter((r) => r.path.startsWith("/api/v1/") && r.method !== "ALL")
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    const documented = operations().map(([path, method]) => `${method} ${path}`);
    expect(new Set(documented)).toEqual(new Set(served));
    expect(documented.length).toBeGreaterThan(35);
  });

  it("has a summary, the bearer token, and each error answer as {code, message} of codes with that status", () => {
    expect(doc.components.securitySchemes).toEqual({
      adminToken: expect.objectContaining({ scheme: "bearer" }),
    });
    for (const [path, method, op] of operations()) {
      expect((op as unknown as Json).summary, `${method} ${path}`).toBeTruthy();
      for (const [status, answer] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const json = answer.content?.["application/json"];
        const codes = (json?.schema.properties as { code: { enum: string[] } } | undefined)?.code.enum ?? [];
        expect(codes.length, `${method} ${path} ${status}`).toBeGreaterThan(0);
        for (const code of codes) {
          expect(ERROR_CODES[code as keyof typeof ERROR_CODES]?.status, `${method} ${path}: ${code}`).toBe(
            Number(status),
          );
          expect(json?.examples?.[code]?.value).toMatchObject({ code });
        }
      }
      if (op.security === undefined) expect(op.responses["401"], `${method} ${path}`).toBeDefined();
    }
  });

  it("has an example for every request body, parameter and answer, each valid against its schema", () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const valid = (schema: Json, value: unknown, where: string) => {
      const validate = ajv.compile(schema);
      expect(validate(value), `${where}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    };
    for (const [path, method, op] of operations()) {
      const where = `${method} ${path}`;
      for (const p of op.parameters) {
        if (p.$ref) continue;
        expect(p.example, `${where} ${p.name}`).toBeDefined();
      }
      const body = op.requestBody?.content["application/json"];
      if (body) {
        expect(body.example, where).toBeDefined();
        valid(body.schema, body.example, `${where} body`);
      }
      for (const [status, answer] of Object.entries(op.responses)) {
        if (Number(status) >= 400) continue;
        for (const [type, content] of Object.entries(answer.content ?? {})) {
          expect(content.example, `${where} ${status}`).toBeDefined();
          if (type === "application/json") valid(content.schema, content.example, `${where} ${status}`);
        }
      }
    }
  });
});

describe("the check every API test makes", () => {
  it("refuses an answer the document does not allow", () => {
    const check = new OpenApiCheck(doc);
    const page = { data: [], nextCursor: null };
    expect(() => check.check("GET", "/api/v1/events?limit=5", 200, page)).not.toThrow();
    expect(() => check.check("GET", "/api/v1/events", 200, { data: [{ id: 1 }], nextCursor: null })).toThrow(
      /does not match/,
    );
    expect(() => check.check("GET", "/api/v1/events", 409, { code: "conflict", message: "x" })).toThrow(
      /does not declare/,
    );
    expect(() => check.check("GET", "/api/v1/events", 400, { code: "in_use", message: "x" })).toThrow(
      /does not match/,
    );
    expect(() => check.check("PUT", "/api/v1/events", 200, {})).toThrow(/not in the OpenAPI document/);
    expect(() =>
      check.check("GET", "/api/v1/nope", 404, { code: "not_found", message: "no such route" }),
    ).not.toThrow();
  });
});

describe("the API reference page", () => {
  it("shows every operation from the document, without the token and without script", async () => {
    const res = await t.app.request("/api/reference");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    for (const [path, method, op] of operations()) {
      expect(html, `${method} ${path}`).toContain(
        `id="${(op as unknown as { operationId: string }).operationId}"`,
      );
      expect(html).toContain(`${method.toUpperCase()} ${path}`);
    }
    expect(html).toContain("<code>invalid_query</code>");
    expect(html).toContain('href="/api/v1/openapi.json"');
  });
});
