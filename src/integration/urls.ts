/** The addresses of the integration's endpoints, as they are pasted into Vercel's Integration Console. */
export interface IntegrationUrls {
  /** Redirect URL: where Vercel sends the browser after an install, for every flow. */
  redirectUrl: string;
  /** Configuration URL: an installation's settings page. */
  configurationUrl: string;
  /** Webhook URL: where Vercel sends the integration's events. */
  webhookUrl: string;
  /** The external install link (a website's "Install" button). */
  installUrl: string;
}

/** The integration's endpoint URLs under its public URL. */
export function integrationUrls(publicUrl: string): IntegrationUrls {
  const base = `${publicUrl}/integrations/vercel`;
  return {
    redirectUrl: `${base}/callback`,
    configurationUrl: `${base}/configure`,
    webhookUrl: `${base}/webhook`,
    installUrl: `${base}/install`,
  };
}

/** Whether a public URL can serve Vercel and browsers: https, or http on this machine for a local trial. */
export function publicUrlProblem(publicUrl: string): { fatal: boolean; message: string } | null {
  const url = new URL(publicUrl);
  if (url.protocol === "https:") return null;
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  return local
    ? { fatal: false, message: "http on this machine: for a local trial against a fake Vercel only" }
    : {
        fatal: true,
        message: "http: Vercel and browsers reach the integration over the internet; use https",
      };
}
