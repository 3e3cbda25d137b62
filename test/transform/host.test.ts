import { readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { TransformCompileError } from "../../src/transform/compile-error.js";
import { type HostResult, SandboxHost } from "../../src/transform/host.js";

const EVENT = Buffer.from(JSON.stringify({ id: "evt_1", type: "deployment.created", payload: {} }));
const GOOD = "function transform(e) { return { ok: e.id }; }";
// Flattening a string of a gigabyte is one built-in in C++: neither isolated-vm's CPU limit nor
// its heap limit can stop it (the heap limit lets a gigabyte through to avoid a crash).
const GIGABYTE_STRING = 'function transform() { return "\\u4e00".repeat(5e8).indexOf("x"); }';

const hosts: SandboxHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

function host(limits: Partial<SandboxHost["limits"]> = {}, deaths: string[] = []): SandboxHost {
  const h = new SandboxHost(
    { timeoutMs: 50, memoryLimitMb: 32, maxOutputBytes: 1024 * 1024, ...limits },
    (death) => deaths.push(death.message),
  );
  hosts.push(h);
  return h;
}

const text = (r: HostResult) => ("body" in r ? `${r.kind}:${r.body.toString("utf8")}` : r);
const run = (h: SandboxHost, route: string, tenant = "t") =>
  h.run(tenant, route, EVENT, { route }).then(text);

describe("the sandbox process", () => {
  it("starts on the first compile and answers calls with the output's bytes", async () => {
    const h = host();
    expect(h.pid).toBeUndefined();
    await h.compile("t", "obj", GOOD, "routes/obj");
    await h.compile("t", "str", "function transform(e) { return `hi ${e.id}`; }", "routes/str");
    await h.compile("t", "skip", "function transform() { return null; }", "routes/skip");
    expect(h.pid).toBeTypeOf("number");
    expect(await Promise.all(["obj", "str", "skip"].map((r) => run(h, r)))).toEqual([
      'json:{"ok":"evt_1"}',
      "text:hi evt_1",
      { kind: "skip" },
    ]);
    await expect(
      h.compile("t", "bad", "function transform(e) {\n  return e.;\n}", "routes/bad"),
    ).rejects.toThrow(new TransformCompileError("SyntaxError: Unexpected token ';'", 2));
  });

  it("fails a call past the memory limit at the cap, and serves the calls behind it from a new process", async () => {
    const deaths: string[] = [];
    // A CPU limit the call cannot reach first: memory alone is tested.
    const h = host({ timeoutMs: 10_000 }, deaths);
    await h.compile("t", "bomb", GIGABYTE_STRING, "routes/bomb");
    await h.compile("u", "good", GOOD, "routes/good");
    const first = h.pid;
    const [bomb, ...behind] = await Promise.all([run(h, "bomb"), run(h, "good", "u"), run(h, "good", "u")]);
    expect(bomb).toEqual({ kind: "error", message: "exceeded the memory limit of 32 MB", line: null });
    expect(behind).toEqual(['json:{"ok":"evt_1"}', 'json:{"ok":"evt_1"}']);
    expect(deaths).toEqual(["exceeded the memory limit of 32 MB"]);
    expect(h.pid).not.toBe(first);
    expect(h.starts).toBe(2);
    // Every route was compiled again in the new process.
    expect(await run(h, "good", "u")).toBe('json:{"ok":"evt_1"}');
  });

  it("fails a call past the CPU limit that isolated-vm cannot stop", async () => {
    const deaths: string[] = [];
    // A memory limit the call cannot reach first: CPU alone is tested.
    const h = host({ timeoutMs: 20, memoryLimitMb: 4096 }, deaths);
    await h.compile("t", "builtin", GIGABYTE_STRING, "routes/builtin");
    await h.compile("t", "good", GOOD, "routes/good");
    expect(await run(h, "builtin")).toEqual({
      kind: "error",
      message: "exceeded the CPU limit of 20 ms",
      line: null,
    });
    expect(deaths).toEqual(["exceeded the CPU limit of 20 ms"]);
    expect(await run(h, "good")).toBe('json:{"ok":"evt_1"}');
  });

  it("stops JavaScript at the CPU limit without ending the process", async () => {
    const deaths: string[] = [];
    const h = host({}, deaths);
    await h.compile("t", "loop", "function transform() {\n  for (;;) {}\n}", "routes/loop");
    expect(await run(h, "loop")).toEqual({
      kind: "error",
      message: "exceeded the CPU limit of 50 ms",
      line: 2,
    });
    expect(deaths).toEqual([]);
    expect(h.starts).toBe(1);
  });

  it("blames a crash on the call it was running, and sends the calls behind it again", async () => {
    const h = host({ timeoutMs: 10_000 });
    await h.compile("t", "loop", "function transform() { for (;;) {} }", "routes/loop");
    await h.compile("t", "good", GOOD, "routes/good");
    const loop = run(h, "loop");
    const good = run(h, "good");
    // The process has started the loop when it is busy on the CPU; end it from outside.
    const pid = h.pid as number;
    await waitForCpu(pid);
    process.kill(pid, "SIGKILL");
    expect(await loop).toEqual({ kind: "error", message: "the sandbox process ended (SIGKILL)", line: null });
    expect(await good).toBe('json:{"ok":"evt_1"}');
  });

  it("forgets a dropped route, and fails what waits when it is closed", async () => {
    const h = host({ timeoutMs: 10_000 });
    await h.compile("t", "good", GOOD, "routes/good");
    await h.drop("t", "good");
    expect(await run(h, "good")).toEqual({
      kind: "error",
      message: 'no code compiled for route "good"',
      line: null,
    });
    await h.compile("t", "loop", "function transform() { for (;;) {} }", "routes/loop");
    const waiting = run(h, "loop");
    await h.close();
    expect(await waiting).toEqual({ kind: "error", message: "the sandbox was closed", line: null });
  });
});

/** Resolves once the process has used 100 ms of CPU more than when called (it is running a loop). */
async function waitForCpu(pid: number): Promise<void> {
  const ticks = () => {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s)
  };
  const start = ticks();
  while (ticks() < start + 10) await delay(5);
}
