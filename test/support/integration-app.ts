import { once } from "node:events";
import { createServer } from "node:net";
import type { Logger } from "pino";
import type { AppOptions } from "../../src/app.js";
import type { Clock } from "../../src/core/clock.js";
import { startTestApp, type TestApp } from "./app.js";
import { FakeVercel } from "./fake-vercel.js";

/** The integration's slug in the tests. */
export const SLUG = "switchyard";

/** A port free on loopback right now: the app's public URL must be known before it starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Switchyard configured as an integration of a fake Vercel, both on loopback. */
export interface IntegrationApp {
  app: TestApp;
  vercel: FakeVercel;
  close(): Promise<void>;
}

/**
 * Starts a fake Vercel and Switchyard as its integration, its public URL its own loopback
 * address (so the fake's redirects reach it). `allowPrivateNetworks` lets endpoints on loopback
 * be chosen on the setup page.
 */
export async function startIntegrationApp(
  options: {
    allowPrivateNetworks?: boolean;
    clock?: Clock;
    logger?: Logger;
    overrides?: Record<string, unknown>;
    app?: AppOptions;
  } = {},
): Promise<IntegrationApp> {
  // The port is free when asked, but another test's listen(0) may take it before the app binds
  // it (the public URL must be known first): then another port is taken, a few times at most.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(await freePort(), options);
    } catch (error) {
      if ((error as { code?: unknown }).code !== "EADDRINUSE" || attempt >= 5) throw error;
    }
  }
}

async function startOn(
  port: number,
  options: Parameters<typeof startIntegrationApp>[0] & object,
): Promise<IntegrationApp> {
  const publicUrl = `http://127.0.0.1:${port}`;
  const vercel = await FakeVercel.start({
    slug: SLUG,
    redirectUri: `${publicUrl}/integrations/vercel/callback`,
  });
  const app = await startTestApp(
    {
      server: { port, host: "127.0.0.1" },
      delivery: { allowPrivateNetworks: options.allowPrivateNetworks ?? true },
      integration: {
        slug: SLUG,
        clientId: vercel.clientId,
        clientSecret: vercel.clientSecret,
        publicUrl,
        vercel: { apiUrl: vercel.apiUrl, siteUrl: vercel.siteUrl },
      },
      ...options.overrides,
    },
    {
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.app ? { app: options.app } : {}),
    },
  ).catch(async (error: unknown) => {
    await vercel.close();
    throw error;
  });
  const started: IntegrationApp = {
    app,
    vercel,
    async close() {
      // The app in force: a test may have restarted it.
      await started.app.stop();
      await vercel.close();
    },
  };
  return started;
}
