import { Agent, request } from "undici";
import { sampleEvent } from "../../src/vercel/index.js";
import type { Child } from "./child.js";
import { vercelSignature } from "./send.js";

/**
 * Sends `total` distinct signed events (ids `${prefix}-N`) to a child's vercel source over
 * `concurrency` connections and sends it SIGKILL once `killAfter` of them were acknowledged.
 * Resolves, after the child has exited, with each acknowledged id and the eventId it got.
 */
export async function floodThenKill(
  child: Child,
  options: { secret: string; prefix: string; total: number; concurrency: number; killAfter: number },
): Promise<{ acked: Map<string, string>; killed: boolean }> {
  const acked = new Map<string, string>();
  const agent = new Agent({ connections: options.concurrency });
  let next = 0;
  let killed = false;
  const worker = async () => {
    while (next < options.total) {
      const id = `${options.prefix}-${next++}`;
      const body = JSON.stringify({ ...sampleEvent("deployment.created"), id });
      try {
        const res = await request(`${child.url}/ingest/vercel`, {
          method: "POST",
          body,
          headers: {
            "content-type": "application/json",
            "x-vercel-signature": vercelSignature(body, options.secret),
          },
          dispatcher: agent,
        });
        const json = (await res.body.json()) as { eventId?: string };
        if (res.statusCode === 200 && json.eventId) acked.set(id, json.eventId);
      } catch {
        // The connection died with the process: this event was never acknowledged.
      }
      if (!killed && acked.size >= options.killAfter) {
        killed = true;
        child.process.kill("SIGKILL");
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await child.exited;
  await agent.close();
  return { acked, killed };
}
