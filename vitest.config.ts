import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Many tests start real processes (the CLI through tsx) and real servers; on a loaded 2-core
    // machine that can pass vitest's 5 s default without anything being wrong. Tests wait on
    // events, never on time, so a longer limit only bounds how long a real hang takes to report.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // isolated-vm (the transform sandbox) needs it on Node 20+: see its README.
    execArgv: ["--no-node-snapshot"],
  },
});
