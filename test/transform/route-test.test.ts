import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, api, startTestApp, type TestApp, tempDir } from "../support/app.js";
import { runCli } from "../support/child.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function app(): Promise<TestApp> {
  const a = await startTestApp({
    destinations: [{ slug: "slack", url: "https://hooks.example.com/slack" }],
    routes: [
      {
        slug: "prod-to-slack",
        source: "vercel",
        types: ["deployment.*"],
        filter: {
          logic: "and",
          conditions: [{ field: "payload.target", operator: "equals", value: "production" }],
        },
        transform: { template: "slack" },
        destinations: ["slack"],
      },
      {
        slug: "alerts",
        source: "switchyard",
        types: ["switchyard.delivery.failed"],
        filter: { logic: "and", conditions: [{ field: "payload.attempts", operator: "gte", value: 5 }] },
        transform: { template: "text" },
        destinations: ["slack"],
      },
      {
        slug: "broken",
        source: "vercel",
        transform: { code: "function transform(e) {\n  return e.payload.nothing.id;\n}" },
        destinations: ["slack"],
      },
    ],
  });
  cleanups.push(() => a.stop());
  return a;
}

const post = (a: TestApp, body: unknown) =>
  api(a, "/api/v1/routes/test", { method: "POST", body: JSON.stringify(body) });

describe("POST /api/v1/routes/test", () => {
  it("explains a configured route condition by condition and shows the transform's output and time", async () => {
    const a = await app();
    const { status, body } = await post(a, { route: "prod-to-slack", sampleType: "deployment.error" });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      route: "prod-to-slack",
      matched: true,
      source: { expected: ["vercel"], actual: "vercel", result: true },
      conditions: [
        {
          path: "types",
          operator: "types",
          value: ["deployment.*"],
          actual: "deployment.error",
          result: true,
        },
        {
          path: "filter.conditions[0]",
          field: "payload.target",
          operator: "equals",
          value: "production",
          found: true,
          actual: "production",
          result: true,
        },
      ],
      transform: { outcome: "transformed", contentType: "application/json", error: null },
    });
    const transform = body.transform as { output: { blocks: unknown[] }; durationMs: number; bytes: number };
    expect(transform.output.blocks.length).toBeGreaterThan(0);
    expect(transform.bytes).toBeGreaterThan(0);
    expect(typeof body.durationMs).toBe("number");

    const miss = await post(a, {
      route: "prod-to-slack",
      event: { id: "x", type: "deployment.created", payload: { target: "preview" } },
    });
    expect(miss.body).toMatchObject({ matched: false, transform: null });
    expect((miss.body.conditions as { result: boolean }[]).map((c) => c.result)).toEqual([true, false]);
  });

  it("reports a failing transform's error and line", async () => {
    const a = await app();
    const { body } = await post(a, { route: "broken", sampleType: "project.created" });
    expect(body.transform).toMatchObject({
      outcome: "failed",
      output: null,
      error: { message: "TypeError: Cannot read properties of undefined (reading 'id')", line: 2 },
    });
  });

  it("tests a route given whole, with its own code, without configuring it", async () => {
    const a = await app();
    const { status, body } = await post(a, {
      route: { source: "vercel", transform: { code: "function transform(e) { return `hi ${e.type}`; }" } },
      sampleType: "domain.created",
    });
    expect(status).toBe(200);
    expect(body.transform).toMatchObject({
      outcome: "transformed",
      contentType: "text/plain; charset=utf-8",
      output: "hi domain.created",
    });
    const skip = await post(a, {
      route: { source: "vercel", transform: { code: "function transform() { return null; }" } },
      sampleType: "domain.created",
    });
    expect(skip.body.transform).toMatchObject({ outcome: "skipped", output: null });
  });

  it("answers invalid_route, not_found and invalid_request for bad input", async () => {
    const a = await app();
    const syntax = await post(a, {
      route: { source: "vercel", transform: { code: "function transform(e) {\n  return e.;\n}" } },
      sampleType: "domain.created",
    });
    expect(syntax.status).toBe(400);
    expect(syntax.body).toMatchObject({
      code: "invalid_route",
      message: expect.stringMatching(/route\.transform\.code: SyntaxError.*line 2/),
    });
    const template = await post(a, {
      route: { source: "vercel", transform: { template: "nope" } },
      sampleType: "domain.created",
    });
    expect(template.body).toMatchObject({
      code: "invalid_route",
      message: expect.stringMatching(/route\.transform\.template/),
    });
    const filter = await post(a, {
      route: {
        source: "vercel",
        filter: { logic: "and", conditions: [{ field: "type", operator: "equalz", value: 1 }] },
      },
      sampleType: "domain.created",
    });
    expect(filter.body.code).toBe("invalid_route");
    const file = await post(a, {
      route: { source: "vercel", transform: { file: "/etc/passwd" } },
      sampleType: "domain.created",
    });
    expect(file.body).toMatchObject({
      code: "invalid_route",
      message: expect.stringMatching(/by its route's slug/),
    });
    expect((await post(a, { route: "nope", sampleType: "domain.created" })).body.code).toBe("not_found");
    expect((await post(a, { route: "broken" })).body.code).toBe("invalid_request");
    expect((await post(a, { route: "broken", sampleType: "no.such.type" })).body.code).toBe(
      "invalid_request",
    );
  });
});

describe("switchyard route test", () => {
  it("prints each condition and the output, exit 0 when it matched and 1 when it did not", async () => {
    const a = await app();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const args = ["--url", a.url, "--token", ADMIN_TOKEN];
    const hit = await runCli(["route", "test", "prod-to-slack", "--type", "deployment.error", ...args], {
      cwd: dir,
    });
    expect(hit.stderr).toBe("");
    expect(hit.code).toBe(0);
    expect(hit.stdout).toMatch(/^route prod-to-slack: matched/);
    expect(hit.stdout).toMatch(
      /✓ filter\.conditions\[0\]: payload\.target equals "production" \(found "production"\)/,
    );
    expect(hit.stdout).toMatch(/transform: transformed, application\/json, \d+ bytes/);
    expect(hit.stdout).toMatch(/"type": "header"/);
    const miss = await runCli(["route", "test", "prod-to-slack", "--type", "project.created", ...args], {
      cwd: dir,
    });
    expect(miss.code).toBe(1);
    expect(miss.stdout).toMatch(/did not match[\s\S]*✗ types/);
    const failed = await runCli(["route", "test", "broken", "--type", "project.created", "--json", ...args], {
      cwd: dir,
    });
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout).transform.error.line).toBe(2);
  });

  it("changes the sample with --set, tests Switchyard's own alert, and exits 2 when it cannot ask", {
    timeout: 120_000,
  }, async () => {
    const a = await app();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const args = ["--url", a.url, "--token", ADMIN_TOKEN];
    const preview = await runCli(
      [
        "route",
        "test",
        "prod-to-slack",
        "--type",
        "deployment.error",
        "--set",
        "payload.target=preview",
        ...args,
      ],
      { cwd: dir },
    );
    expect(preview.code).toBe(1);
    expect(preview.stdout).toMatch(
      /✗ filter\.conditions\[0\]: payload\.target equals "production" \(found "preview"\)/,
    );

    const alert = await runCli(["route", "test", "alerts", "--type", "switchyard.delivery.failed", ...args], {
      cwd: dir,
    });
    expect(alert.stderr).toBe("");
    expect(alert.code).toBe(0);
    expect(alert.stdout).toMatch(/✓ source switchyard/);
    expect(alert.stdout).toContain("Delivery Failed: ops-webhook gave up on deployment.error");
    const few = await runCli(
      [
        "route",
        "test",
        "alerts",
        "--type",
        "switchyard.delivery.failed",
        "--set",
        "payload.attempts=2",
        ...args,
      ],
      { cwd: dir },
    );
    expect(few.code).toBe(1);
    expect(few.stdout).toMatch(/✗ filter\.conditions\[0\]: payload\.attempts gte 5 \(found 2\)/);

    const unknownType = await runCli(
      ["route", "test", "prod-to-slack", "--type", "deployment.exploded", "--set", "a=1", ...args],
      {
        cwd: dir,
      },
    );
    expect(unknownType.code).toBe(2);
    expect(unknownType.stderr).toBe(
      'switchyard: unknown event type "deployment.exploded": `switchyard catalog` lists them\n',
    );
    const noFile = await runCli(["route", "test", "prod-to-slack", "--event", "missing.json", ...args], {
      cwd: dir,
    });
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toBe("switchyard: --event: cannot read missing.json: ENOENT\n");
  });
});
