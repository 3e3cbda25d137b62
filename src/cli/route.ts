import { readFileSync } from "node:fs";
import { INTERNAL_SOURCE } from "../core/types.js";
import { DELIVERY_FAILED } from "../delivery/alerts.js";
import type { RouteTestResult } from "../routing/route-test.js";
import { CliError } from "./exit-codes.js";
import { sampleWith } from "./sample.js";
import { apiTarget, callServer } from "./server-api.js";

export interface RouteTestOptions {
  type?: string | undefined;
  event?: string | undefined;
  source?: string | undefined;
  json?: boolean | undefined;
  /** `path=value` changes to the sample of `type`. */
  set?: string[] | undefined;
  url?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
}

/**
 * `switchyard route test SLUG`: asks the running server whether a route matches a sample (or an
 * event file), condition by condition, and prints what its transform makes of it. Exit 0 when it
 * matched and the transform did not fail, 1 when it did not match or the transform failed, 2 when
 * it could not be asked (bad arguments, an unknown route, no server).
 */
export async function routeTestCommand(slug: string, options: RouteTestOptions): Promise<number> {
  if ((options.type === undefined) === (options.event === undefined)) {
    process.stderr.write("give exactly one of --type TYPE or --event FILE\n");
    return 2;
  }
  const { base, token } = apiTarget(options);
  if (!token) {
    process.stderr.write("no admin token: pass --token or set SWITCHYARD_ADMIN_TOKEN\n");
    return 2;
  }
  if (options.set?.length && options.type === undefined) {
    process.stderr.write("--set changes the sample of --type; edit the file of --event instead\n");
    return 2;
  }
  // With --set the sample is made here, so it can be changed, and sent as the event itself.
  const made = options.set?.length ? sampleWith(options.type as string, options.set) : undefined;
  const ownAlert = options.type === DELIVERY_FAILED && made !== undefined;
  const body = {
    route: slug,
    ...(options.type && !made ? { sampleType: options.type } : {}),
    ...(made ? { event: made } : {}),
    ...(options.event ? { event: readEventFile(options.event) } : {}),
    ...(options.source ? { source: options.source } : ownAlert ? { source: INTERNAL_SOURCE } : {}),
  };
  const response = await callServer(base, `${base}/api/v1/routes/test`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const result = (await response.json()) as RouteTestResult & { message?: string };
  if (!response.ok) {
    process.stderr.write(`route test refused (${response.status}): ${result.message ?? "unknown error"}\n`);
    return response.status === 404 || response.status === 400 ? 2 : 1;
  }
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatResult(result));
  return result.matched && result.transform?.outcome !== "failed" ? 0 : 1;
}

/** An event envelope from a JSON file, or a CliError saying what is wrong with the file. */
function readEventFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new CliError(
      `--event: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`--event: ${path} is not JSON: ${(error as Error).message}`);
  }
}

/** The route tester's answer for a terminal. */
export function formatResult(r: RouteTestResult): string {
  const mark = (ok: boolean) => (ok ? "✓" : "✗");
  const lines = [`route ${r.route}: ${r.matched ? "matched" : "did not match"} (${r.durationMs} ms)`];
  lines.push(
    `  ${mark(r.source.result)} source ${r.source.actual} (route takes ${r.source.expected.join(", ")})`,
  );
  for (const c of r.conditions) {
    const found = c.found ? `found ${JSON.stringify(c.actual)}` : "not found";
    const value = c.value === undefined ? "" : ` ${JSON.stringify(c.value)}`;
    lines.push(`  ${mark(c.result)} ${c.path}: ${c.field} ${c.operator}${value} (${found})`);
  }
  const t = r.transform;
  if (t) {
    const detail = t.outcome === "transformed" ? `, ${t.contentType}, ${t.bytes} bytes` : "";
    lines.push(`transform: ${t.outcome}${detail} (${t.durationMs} ms)`);
    if (t.error)
      lines.push(`  error: ${t.error.message}${t.error.line === null ? "" : ` (line ${t.error.line})`}`);
    if (t.output !== null)
      lines.push(typeof t.output === "string" ? t.output : JSON.stringify(t.output, null, 2));
  }
  return `${lines.join("\n")}\n`;
}
