import { expect, it } from "vitest";
import { sampleEvent } from "../src/vercel/index.js";
import { api, startTestApp, VERCEL_SECRETS } from "./support/app.js";
import { sendVercel } from "./support/send.js";

it("keeps events and their dedupe across a restart", async () => {
  const secret = VERCEL_SECRETS[0] as string;
  let app = await startTestApp();
  const event = sampleEvent("deployment.ready");
  const first = await sendVercel(app.url, event, secret);
  app = await app.restart();
  try {
    const stored = await api(app, `/api/v1/events/${first.body.eventId as string}`);
    expect(stored.status).toBe(200);
    expect(stored.body.payload).toEqual(event);
    const again = await sendVercel(app.url, event, secret);
    expect(again.body).toEqual({ ok: true, eventId: first.body.eventId, duplicate: true });
  } finally {
    await app.stop();
  }
});
