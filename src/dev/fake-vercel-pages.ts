/**
 * The fake Vercel's pages for a person clicking through an install: plain HTML, an inline
 * stylesheet, no script and no external asset, so they work offline and in any browser.
 */

/** One scope an integration can be installed into, as the install page offers it. */
export interface ScopeChoice {
  /** `personal`, or a team id. */
  value: string;
  label: string;
}

/** An installation as the dashboard lists it. */
export interface InstallationRow {
  configurationId: string;
  scope: string;
  active: boolean;
  /** Where Vercel's dashboard links to the installation's settings. */
  configureUrl: string;
}

/** An event the fake sent, as the dashboard lists it. */
export interface SentRow {
  id: string;
  type: string;
  configurationId: string;
  /** The Webhook URL's answer, or null when the request failed. */
  status: number | null;
  error: string | null;
}

/** Escapes text for an HTML element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd}code{font-size:.9em}
button{font:inherit;padding:.4rem 1rem;background:#000;color:#fff;border:0;border-radius:6px;cursor:pointer}
select{font:inherit}form p{margin:.6rem 0}.note{color:#666}
@media(prefers-color-scheme:dark){body{background:#111;color:#eee}td,th{border-color:#333}button{background:#fff;color:#000}.note{color:#aaa}}`;

/** A whole page around `body`. */
function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} · Fake Vercel</title><style>${CSS}</style></head><body><p class="note">Fake Vercel: a stand-in for vercel.com on this machine.</p>${body}</body></html>`;
}

/** "Install <slug> on <scope>?": the scope select and an Install button that POSTs back to the page. */
export function confirmPage(o: {
  slug: string;
  action: string;
  state: string | undefined;
  scopes: readonly ScopeChoice[];
}): string {
  const options = o.scopes
    .map((s) => `<option value="${escapeHtml(s.value)}">${escapeHtml(s.label)}</option>`)
    .join("");
  const state =
    o.state === undefined ? "" : `<input type="hidden" name="state" value="${escapeHtml(o.state)}">`;
  return page(
    `Install ${o.slug}`,
    `<h1>Install ${escapeHtml(o.slug)}?</h1>
<form method="post" action="${escapeHtml(o.action)}">${state}
<p><label>Install <strong>${escapeHtml(o.slug)}</strong> on <select name="scope">${options}</select>?</label></p>
<p><button type="submit">Install</button></p>
</form>`,
  );
}

/** Where the integration sends the browser when its setup is done (the `next` URL). */
export function installedPage(slug: string): string {
  return page(
    "Installed",
    `<h1>Installed.</h1><p>${escapeHtml(slug)} is installed. <a href="/">Dashboard</a></p>`,
  );
}

/** The dashboard: the installations with their Configuration URLs, and a form that sends a test event. */
export function indexPage(o: {
  slug: string;
  installUrl: string;
  installations: readonly InstallationRow[];
  /** Event types to offer; none when no Webhook URL is set. */
  types: readonly string[];
  webhookUrl: string | null;
  sent: readonly SentRow[];
}): string {
  const rows = o.installations.map(
    (i) =>
      `<tr><td><code>${escapeHtml(i.configurationId)}</code></td><td>${escapeHtml(i.scope)}</td><td>${
        i.active ? `<a href="${escapeHtml(i.configureUrl)}">Configure</a>` : "removed"
      }</td></tr>`,
  );
  const installations =
    rows.length === 0
      ? `<p>No installation yet. <a href="${escapeHtml(o.installUrl)}">Install ${escapeHtml(o.slug)}</a></p>`
      : `<table><tr><th>Configuration</th><th>Scope</th><th></th></tr>${rows.join("")}</table>
<p><a href="${escapeHtml(o.installUrl)}">Install ${escapeHtml(o.slug)} again</a></p>`;
  return page(
    "Dashboard",
    `<h1>Integrations: ${escapeHtml(o.slug)}</h1>${installations}${sendForm(o)}${sentTable(o.sent)}`,
  );
}

function sendForm(o: {
  installations: readonly InstallationRow[];
  types: readonly string[];
  webhookUrl: string | null;
}): string {
  const active = o.installations.filter((i) => i.active);
  if (o.webhookUrl === null || active.length === 0) return "";
  const types = o.types.map((t) => `<option>${escapeHtml(t)}</option>`).join("");
  const targets = active
    .map(
      (i) =>
        `<option value="${escapeHtml(i.configurationId)}">${escapeHtml(i.configurationId)} (${escapeHtml(i.scope)})</option>`,
    )
    .join("");
  return `<h2>Send a test event</h2>
<form method="post" action="/events">
<p><label>Type <select name="type">${types}</select></label></p>
<p><label>Installation <select name="configurationId">${targets}</select></label></p>
<p><button type="submit">Send</button> <span class="note">signed with the client secret, to <code>${escapeHtml(o.webhookUrl)}</code></span></p>
</form>`;
}

function sentTable(sent: readonly SentRow[]): string {
  if (sent.length === 0) return "";
  const rows = sent.map(
    (s) =>
      `<tr><td><code>${escapeHtml(s.id)}</code></td><td>${escapeHtml(s.type)}</td><td><code>${escapeHtml(s.configurationId)}</code></td><td>${
        s.status === null ? escapeHtml(`failed: ${s.error ?? ""}`) : String(s.status)
      }</td></tr>`,
  );
  return `<h2>Events sent</h2><table><tr><th>Event</th><th>Type</th><th>Installation</th><th>Answer</th></tr>${rows.join("")}</table>`;
}
