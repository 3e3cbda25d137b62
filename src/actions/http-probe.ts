import { Agent, errors, request } from "undici";
import { createSsrfConnector, SsrfBlockedError } from "../core/ssrf.js";

/** What a check expects of the answer: a status (any 2xx when absent) and text in the body. */
export interface ProbeExpectation {
  status?: number | undefined;
  bodyContains?: string | undefined;
}

/** A probe's verdict, and the words that say why (a check's conclusion text). */
export interface ProbeResult {
  passed: boolean;
  /** The URL did not answer within the timeout (a checks-v2 run concludes `timeout`). */
  timedOut: boolean;
  why: string;
}

// Enough of a body to find the expected text in a health page, not a whole site.
const MAX_BODY_BYTES = 256 * 1024;

/** An agent for probes: guarded against non-public addresses unless private networks are allowed. */
export function probeAgent(allowPrivateNetworks: boolean): Agent {
  return new Agent({ connect: createSsrfConnector({ allowPrivateNetwork: allowPrivateNetworks }) });
}

/**
 * GETs `url` (no redirects followed) within `timeoutMs` and judges the answer against `expect`;
 * throws only when `signal` aborts it.
 */
export async function probe(
  url: string,
  expect: ProbeExpectation,
  timeoutMs: number,
  agent: Agent,
  signal: AbortSignal,
): Promise<ProbeResult> {
  const { host, pathname } = new URL(url);
  const where = `GET ${host}${pathname}`;
  const started = performance.now();
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const answer = await request(url, {
      method: "GET",
      dispatcher: agent,
      signal: AbortSignal.any([signal, timeout]),
      headers: { "user-agent": "Switchyard-Check" },
    });
    const body = await readCapped(answer.body);
    const ms = Math.round(performance.now() - started);
    const status = answer.statusCode;
    const statusOk = expect.status === undefined ? status >= 200 && status < 300 : status === expect.status;
    if (!statusOk)
      return {
        passed: false,
        timedOut: false,
        why: `${where} answered ${status}, expected ${expect.status ?? "2xx"}`,
      };
    if (expect.bodyContains !== undefined && !body.includes(expect.bodyContains))
      return {
        passed: false,
        timedOut: false,
        why: `${where} answered ${status} without "${expect.bodyContains}" in its body`,
      };
    return { passed: true, timedOut: false, why: `${where} answered ${status} in ${ms} ms` };
  } catch (error) {
    if (signal.aborted) throw error;
    if (
      timeout.aborted ||
      error instanceof errors.BodyTimeoutError ||
      error instanceof errors.HeadersTimeoutError
    )
      return {
        passed: false,
        timedOut: true,
        why: `${where} did not answer within ${formatSeconds(timeoutMs)}`,
      };
    const cause = causeOf(error);
    if (cause instanceof SsrfBlockedError)
      return { passed: false, timedOut: false, why: `${where}: ${cause.message}` };
    const code = cause instanceof Error ? (cause as NodeJS.ErrnoException).code : undefined;
    return {
      passed: false,
      timedOut: false,
      why: `${where} could not be reached${code ? ` (${code})` : ""}`,
    };
  }
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_BODY_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString("utf8");
}

const causeOf = (error: unknown): unknown =>
  error instanceof Error && error.cause !== undefined && !(error instanceof SsrfBlockedError)
    ? error.cause
    : error;

const formatSeconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
