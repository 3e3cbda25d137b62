// A route's `transform: { file: … }` is read at start-up: it must not reach outside the config
// file's folder, by `..`, an absolute path, or a symbolic link.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/core/config-error.js";
import { tempDir } from "../support/app.js";
import { runCli } from "../support/child.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const TRANSFORM = "function transform(event) { return { text: event.type }; }\n";

/** A config folder (`<tmp>/conf`) beside an outside folder (`<tmp>/outside`) holding a transform. */
function folders() {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const conf = join(dir, "conf");
  const outside = join(dir, "outside");
  mkdirSync(conf);
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.js"), TRANSFORM);
  return { dir, conf, outside };
}

/** Writes a config whose one route's transform reads `file`, and loads it. */
function load(conf: string, file: string) {
  const path = join(conf, "switchyard.yaml");
  writeFileSync(
    path,
    [
      "sources: [{ slug: vercel, kind: vercel, secrets: [s] }]",
      "destinations: [{ slug: d, url: https://example.com/hook }]",
      `routes: [{ slug: r, source: vercel, transform: { file: ${JSON.stringify(file)} }, destinations: [d] }]`,
    ].join("\n"),
  );
  return loadConfig({ config: path }, {}, conf);
}

function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("transform files stay inside the config file's folder", () => {
  it("refuses a path that climbs out with ..", () => {
    const { conf, outside } = folders();
    const error = refusal(() => load(conf, "../../../../../../../../etc/passwd"));
    expect(error.issues).toEqual([
      expect.stringMatching(
        /^routes\[0\]\.transform\.file: \.\.\/(\.\.\/)+etc\/passwd is outside .*conf: a transform file must be inside the config file's folder$/,
      ),
    ]);
    expect(refusal(() => load(conf, "../outside/secret.js")).issues[0]).toContain(
      "routes[0].transform.file: ../outside/secret.js is outside",
    );
    expect(outside).toBeTruthy();
  });

  it("refuses an absolute path outside the folder", () => {
    const { conf, outside } = folders();
    const error = refusal(() => load(conf, join(outside, "secret.js")));
    expect(error.issues[0]).toMatch(/^routes\[0\]\.transform\.file: \/.*outside\/secret\.js is outside /);
    expect(error.file).toBe(join(conf, "switchyard.yaml"));
  });

  it("refuses a symbolic link, to a file or a folder, that points outside", () => {
    const { conf, outside } = folders();
    symlinkSync(join(outside, "secret.js"), join(conf, "link.js"));
    symlinkSync(outside, join(conf, "linked-folder"));
    expect(refusal(() => load(conf, "link.js")).issues[0]).toMatch(
      /^routes\[0\]\.transform\.file: link\.js is outside .*conf \(it resolves to .*outside\/secret\.js\)/,
    );
    expect(refusal(() => load(conf, "./linked-folder/secret.js")).issues[0]).toContain(
      "routes[0].transform.file: ./linked-folder/secret.js is outside",
    );
    symlinkSync("/etc/passwd", join(conf, "passwd.js"));
    expect(refusal(() => load(conf, "passwd.js")).issues[0]).toContain("(it resolves to /etc/passwd)");
  });

  it("reads a file inside, in a subfolder or through a link that stays inside", () => {
    const { dir, conf } = folders();
    mkdirSync(join(conf, "transforms"));
    writeFileSync(join(conf, "transforms", "ok.js"), TRANSFORM);
    symlinkSync(join(conf, "transforms", "ok.js"), join(conf, "alias.js"));
    for (const file of ["transforms/ok.js", "./alias.js", join(conf, "transforms", "ok.js")]) {
      const { config } = load(conf, file);
      expect(config.routes[0]?.transform?.code).toBe(TRANSFORM);
    }
    // The config folder itself reached through a link: its files are still inside.
    symlinkSync(conf, join(dir, "conf-link"));
    const { config } = loadConfig({ config: join(dir, "conf-link", "switchyard.yaml") }, {}, dir);
    expect(config.routes[0]?.transform?.code).toBe(TRANSFORM);
  });

  it("switchyard serve stops with the key and the path, and reads nothing", async () => {
    const { conf } = folders();
    const file = join(conf, "switchyard.yaml");
    expect(() => load(conf, "../../../../../../etc/passwd")).toThrow(ConfigError);
    const result = await runCli(["serve", "--config", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`invalid configuration in ${file}`);
    expect(result.stderr).toContain("routes[0].transform.file: ../../../../../../etc/passwd is outside");
    expect(result.stderr).not.toContain("root:");
  });
});
