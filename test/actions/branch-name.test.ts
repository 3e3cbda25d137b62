// Branch names and passwords: pure, no server.
import { describe, expect, it } from "vitest";
import { branchName, branchPassword, isBranchName, slugOf } from "../../src/actions/branch-name.js";

const request = (gitRef: string | null, deploymentId = "dpl_8Gd1XkQz", installationId = "icfg_abc123") => ({
  gitRef,
  deploymentId,
  installationId,
});
const byRef = (ref: string | null) => branchName(request(ref), "git-ref");
const SHAPE = /^sy_[a-z0-9_]*[a-z0-9]$/;

function expectSafe(name: string) {
  expect(name).toMatch(SHAPE);
  expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
  expect(isBranchName(name)).toBe(true);
}

describe("branchName", () => {
  it("is the prefix, the ref's slug and a hash", () => {
    const name = byRef("main");
    expect(name).toMatch(/^sy_main_[0-9a-f]{10}$/);
    expect(byRef("main")).toBe(name);
  });

  it("keeps apart refs that differ only in case or in the symbols that slugify alike", () => {
    expect(byRef("MAIN")).toMatch(/^sy_main_[0-9a-f]{10}$/);
    expect(byRef("MAIN")).not.toBe(byRef("main"));
    const dash = byRef("feat/a-b");
    const underscore = byRef("feat/a_b");
    expect(dash.slice(0, -11)).toBe("sy_feat_a_b");
    expect(underscore.slice(0, -11)).toBe("sy_feat_a_b");
    expect(dash).not.toBe(underscore);
  });

  it("drops accents, turns other unicode into separators, and stays safe", () => {
    const name = byRef("feature/café-🚀-über");
    expect(name).toMatch(/^sy_feature_cafe_uber_[0-9a-f]{10}$/);
    expectSafe(name);
    expectSafe(byRef("修正/バグ"));
    expectSafe(byRef("İstanbul"));
  });

  it("bounds a very long ref to 63 bytes, and two long refs with the same start still differ", () => {
    const long = `feature/${"x".repeat(300)}`;
    const name = byRef(`${long}-1`);
    expectSafe(name);
    expect(name).toHaveLength(63);
    expect(name).not.toBe(byRef(`${long}-2`));
  });

  it("names a ref of symbols only by its hash", () => {
    const name = byRef("/// !!! ---");
    expect(name).toMatch(/^sy_[0-9a-f]{10}$/);
    expectSafe(name);
    expect(byRef("///")).not.toBe(name);
  });

  it("reads refs/heads/<branch> as the branch, yet keeps it apart from the bare name", () => {
    expect(byRef("refs/heads/main")).toMatch(/^sy_main_/);
    expect(byRef("refs/heads/main")).not.toBe(byRef("main"));
  });

  it("follows the deployment when asked to, or when there is no git ref", () => {
    const perDeployment = branchName(request("main"), "deployment");
    expect(perDeployment).toMatch(/^sy_dpl_8gd1xkqz_[0-9a-f]{10}$/);
    expect(byRef(null)).toBe(perDeployment);
    expect(byRef("")).toBe(perDeployment);
    expect(branchName(request("main", "dpl_other"), "deployment")).not.toBe(perDeployment);
    // Deployments of one ref share a branch when following refs.
    expect(branchName(request("main", "dpl_other"), "git-ref")).toBe(byRef("main"));
  });

  it("keeps a ref apart from a deployment id of the same text, and installations apart", () => {
    expect(byRef("dpl_8Gd1XkQz")).not.toBe(byRef(null));
    expect(branchName(request("main", "d", "icfg_other"), "git-ref")).not.toBe(byRef("main"));
  });
});

describe("slugOf and isBranchName", () => {
  it("slugs to lower-case [a-z0-9_] without leading or trailing separators", () => {
    expect(slugOf("--Hello, World!--")).toBe("hello_world");
    expect(slugOf("a".repeat(100), 10)).toBe("aaaaaaaaaa");
    expect(slugOf("abcdefghi_jk", 10)).toBe("abcdefghi");
  });

  it("accepts only names of a branch's shape", () => {
    expect(isBranchName("sy_main_0123456789")).toBe(true);
    for (const other of ["postgres", "test", "sy_", "SY_main", "sy_main;drop", `sy_${"a".repeat(61)}`]) {
      expect(isBranchName(other), other).toBe(false);
    }
  });
});

describe("branchPassword", () => {
  it("is the same for the same key and name, different for another name or key, and URL-safe", () => {
    const key = Buffer.alloc(32, 1);
    const password = branchPassword(key, "sy_main_0123456789");
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(branchPassword(key, "sy_main_0123456789")).toBe(password);
    expect(branchPassword(key, "sy_main_0123456788")).not.toBe(password);
    expect(branchPassword(Buffer.alloc(32, 2), "sy_main_0123456789")).not.toBe(password);
  });
});
