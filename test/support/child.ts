import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

/** A free loopback port, chosen by the kernel. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

export interface Child {
  process: ChildProcess;
  url: string;
  /** Resolves with the exit code or signal once the process has ended. */
  exited: Promise<number | string>;
}

/**
 * Runs `switchyard serve` from source as a child process and resolves once it logs that it is
 * listening (waiting on the log line, not on a timer).
 */
export async function startChild(
  configFile: string,
  port: number,
  env: Record<string, string> = {},
): Promise<Child> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "serve", "--config", configFile, "--port", String(port)],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split("\n")) {
        if (line.includes('"switchyard listening"')) resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    exited.then((code) => reject(new Error(`switchyard exited (${code}) before listening:\n${stderr}`)));
  });
  return { process: child, url, exited };
}
