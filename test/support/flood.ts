import { Agent, request } from "undici";
import { sampleEvent } from "../../src/vercel/index.js";
import type { Child } from "./child.js";
import { vercelSignature } from "./send.js";

/** POSTs a signed `deployment.created` event with id `id` over `agent`: its status and eventId. */
export async function sendSignedEvent(url: string, id: string, secret: string, agent: Agent) {
  const body = JSON.stringify({ ...sampleEvent("deployment.created"), id });
  const res = await request(`${url}/ingest/vercel`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "x-vercel-signature": vercelSignature(body, secret) },
    dispatcher: agent,
  });
  const text = await res.body.text();
  const json = res.statusCode === 200 ? (JSON.parse(text) as { eventId?: string }) : {};
  return { status: res.statusCode, eventId: json.eventId };
}

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
      try {
        const res = await sendSignedEvent(child.url, id, options.secret, agent);
        if (res.status === 200 && res.eventId) acked.set(id, res.eventId);
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
