import { afterEach, describe, expect, it } from "vitest";
import { TransformCompileError } from "../../src/transform/compile-error.js";
import { isolatedVm, loadFirst } from "../../src/transform/isolated-vm.js";
import { Sandbox } from "../../src/transform/sandbox.js";

const LIMITS = { timeoutMs: 50, memoryLimitMb: 16, maxOutputBytes: 1024 * 1024 };
const EVENT = JSON.stringify({
  id: "evt_1",
  type: "deployment.created",
  payload: { deployment: { id: "dpl_1" } },
});

const open: Sandbox[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.dispose();
});

// The CPU limit is measured on the wall clock: on a loaded machine a memory bomb can run out of
// time before it runs out of memory, so the memory tests give it time and test memory alone.
const MEMORY_ONLY = { ...LIMITS, timeoutMs: 10_000 };

function sandboxWith(routes: Record<string, string>, tenant = "default", limits = LIMITS): Sandbox {
  const sandbox = new Sandbox(limits);
  open.push(sandbox);
  for (const [route, code] of Object.entries(routes)) sandbox.compile(tenant, route, code, `routes/${route}`);
  return sandbox;
}

const run = (s: Sandbox, route: string, tenant = "default") => s.run(tenant, route, EVENT, { route });

describe("the sandbox", () => {
  it("returns objects as JSON, strings as text, and null or undefined as a skip", async () => {
    const s = sandboxWith({
      obj: "function transform(e, meta) { return { id: e.payload.deployment.id, route: meta.route }; }",
      str: "function transform(e) { return `deployed ${e.payload.deployment.id}`; }",
      nul: "function transform() { return null; }",
      undef: "function transform() {}",
    });
    expect(await run(s, "obj")).toEqual({ kind: "json", text: '{"id":"dpl_1","route":"obj"}' });
    expect(await run(s, "str")).toEqual({ kind: "text", text: "deployed dpl_1" });
    expect(await run(s, "nul")).toEqual({ kind: "skip" });
    expect(await run(s, "undef")).toEqual({ kind: "skip" });
  });

  it.each([
    [
      "this.constructor.constructor",
      'return this.constructor.constructor("return process")().env;',
      /process is not defined/,
    ],
    [
      "a function's constructor",
      'return (function () {}).constructor("return process")().pid;',
      /process is not defined/,
    ],
    ["process", "return process.env;", /process is not defined/],
    ["require", 'return require("fs").readFileSync("/etc/passwd", "utf8");', /require is not defined/],
    ["import()", 'return import("node:fs");', /must return its result directly/],
    ["fetch", 'return fetch("http://169.254.169.254/");', /fetch is not defined/],
    ["timers", "setTimeout(() => {}, 1); return {};", /setTimeout is not defined/],
    [
      "a prototype in strict mode",
      '"use strict"; Object.prototype.polluted = 1; return {};',
      /not extensible/,
    ],
    ["a built-in's method", '"use strict"; JSON.stringify = () => "owned"; return {};', /read only/],
    ["throwing", "throw new Error('nope');", /^Error: nope$/],
    ["throwing a non-error", "throw 'a string';", /transform threw a string/],
    ["an infinite loop", "for (;;) {}", /CPU limit of 50 ms/],
    [
      "an infinite loop in a microtask",
      "Promise.resolve().then(() => { for (;;) {} }); return {};",
      /CPU limit/,
    ],
    ["deep recursion", "const f = (n) => f(n + 1) + 1; return f(0);", /Maximum call stack size exceeded/],
    ["a huge output", 'return "x".repeat(2 * 1024 * 1024);', /output is larger than 1048576 bytes/],
    ["a huge object", "return { a: 'y'.repeat(1024 * 1024) };", /output is larger/],
    ["a number", "return 42;", /returned a number/],
    ["a circular object", "const o = {}; o.o = o; return o;", /circular/],
  ])("contains %s as an error of that call", async (_name, body, message) => {
    const s = sandboxWith({
      bad: `function transform(event) {\n  ${body}\n}`,
      good: "function transform(e) { return { ok: e.id }; }",
    });
    const result = await run(s, "bad");
    expect(result.kind).toBe("error");
    expect(result.kind === "error" && result.message).toMatch(message);
    // The same isolate goes on serving the next call.
    expect(await run(s, "good")).toEqual({ kind: "json", text: '{"ok":"evt_1"}' });
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it("names the line an error comes from", async () => {
    const s = sandboxWith({
      r: "function transform(event) {\n  const d = event.payload.missing;\n  return d.id;\n}",
    });
    expect(await run(s, "r")).toEqual({
      kind: "error",
      message: "TypeError: Cannot read properties of undefined (reading 'id')",
      line: 3,
    });
  });

  it("keeps nothing from one call to the next: top-level state, globals, prototypes", async () => {
    const s = sandboxWith({
      state: `let calls = 0;
        const cache = {};
        function transform(e) {
          calls++;
          cache[e.id] = true;
          globalThis.seen = (globalThis.seen || 0) + 1;
          Object.prototype.leak = "yes";
          Array.prototype.push = null;
          /(a)/.test("a");
          return { calls, keys: Object.keys(cache).length, seen: globalThis.seen || null, leak: ({}).leak || null, regexp: RegExp.$1 || null };
        }`,
    });
    const expected = { kind: "json", text: '{"calls":1,"keys":1,"seen":null,"leak":null,"regexp":null}' };
    expect(await run(s, "state")).toEqual(expected);
    expect(await run(s, "state")).toEqual(expected);
  });

  it("contains a memory bomb as an error of that call, and serves the next call on a new isolate", async () => {
    const s = sandboxWith(
      {
        bomb: "function transform() { const a = []; for (;;) a.push(new Array(1e6).fill(1)); }",
        good: "function transform(e) { return { ok: e.id }; }",
      },
      "default",
      MEMORY_ONLY,
    );
    const result = await run(s, "bomb");
    expect(result.kind === "error" && result.message).toMatch(/memory limit of 16 MB/);
    expect(await run(s, "good")).toEqual({ kind: "json", text: '{"ok":"evt_1"}' });
  });

  it("gives each tenant its own isolate: one tenant's memory bomb leaves the other's calls alone", async () => {
    const s = sandboxWith(
      { bomb: "function transform() { const a = []; for (;;) a.push(new Array(1e6).fill(1)); }" },
      "a",
      MEMORY_ONLY,
    );
    s.compile("b", "fine", "function transform(e) { return { ok: e.id }; }", "routes/fine");
    const [bomb, fine] = await Promise.all([run(s, "bomb", "a"), run(s, "fine", "b")]);
    expect(bomb.kind === "error" && bomb.message).toMatch(/memory limit/);
    expect(fine).toEqual({ kind: "json", text: '{"ok":"evt_1"}' });
  });

  it("reports code that does not compile, or defines no transform, with its line", () => {
    const s = sandboxWith({});
    expect(() => s.compile("default", "x", "function transform(e) {\n  return e.;\n}", "routes/x")).toThrow(
      new TransformCompileError("SyntaxError: Unexpected token ';'", 2),
    );
    expect(() => s.compile("default", "y", "const t = 1;", "routes/y")).toThrow(/named transform/);
  });
});

describe("isolated-vm, whichever release built on this Node", () => {
  it("loads the first release that is installed, passing over the ones that are not", () => {
    const ivm = loadFirst(["isolated-vm-not-installed", "isolated-vm-6", "isolated-vm"]);
    if (ivm instanceof Error) throw ivm;
    const isolate = new ivm.Isolate({ memoryLimit: 16 });
    expect(isolate.isDisposed).toBe(false);
    isolate.dispose();
    expect(isolatedVm()).toBeTypeOf("object");
  });

  it("refuses code with the reason where no release loads, and names each package it tried", () => {
    const missing = loadFirst(["isolated-vm-not-installed", "isolated-vm-nor-this"]);
    expect(missing).toBeInstanceOf(Error);
    expect((missing as Error).message).toMatch(/code transforms are not available on Node \d+/);
    expect((missing as Error).message).toContain("isolated-vm-not-installed: Cannot find module");
    expect((missing as Error).message).toContain("isolated-vm-nor-this: Cannot find module");
    const sandbox = new Sandbox(LIMITS, () => {
      throw missing;
    });
    open.push(sandbox);
    let refused: unknown;
    try {
      sandbox.compile("default", "r", "function transform(e) { return e; }", "routes/r");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(TransformCompileError);
    expect((refused as TransformCompileError).reason).toBe((missing as Error).message);
  });
});
