import { pageScript } from "../page-script.js";

/**
 * The events list's live mode: streams the tenant's new events (`/events/live`, the page's
 * filters) into the top of the list, each row built as the server builds one, with DOM calls
 * and text only (an event's fields are never markup). Without it the page is the plain list.
 */
export const EVENTS_LIVE_SCRIPT = pageScript(`
const root = document.querySelector("[data-live-src]");
const rows = root && root.querySelector("tbody");
if (root && rows) {
  const status = document.querySelector("[data-live-status]");
  const empty = document.querySelector("[data-live-empty]");
  const tenantQuery = root.getAttribute("data-tenant-query") || "";
  const eventBase = root.getAttribute("data-event-base") || "/events/";
  const say = (text) => { if (status) status.textContent = text; };
  const time = (iso) => iso.replace("T", " ").replace(/\\.\\d+Z$/, "Z");
  const cell = (className) => {
    const td = document.createElement("td");
    if (className) td.className = className;
    return td;
  };
  const link = (href, text, className) => {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    if (className) a.className = className;
    return a;
  };
  const source = new EventSource(root.getAttribute("data-live-src"));
  source.addEventListener("open", () => say("Live: new events appear at the top as they arrive."));
  source.addEventListener("error", () =>
    say(source.readyState === EventSource.CLOSED ? "Live updates stopped: reload the page." : "Reconnecting…"),
  );
  source.addEventListener("event", (message) => {
    const e = JSON.parse(message.data);
    const href = eventBase + encodeURIComponent(e.id) + tenantQuery;
    const received = cell("mono");
    received.textContent = time(e.receivedAt);
    const type = cell("");
    type.append(link(href, e.type, ""));
    if (e.unknownType) {
      const hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = " (not in the catalog)";
      type.append(hint);
    }
    const from = cell("hide-narrow");
    from.textContent = e.source;
    const id = cell("hide-narrow");
    id.append(link(href, e.id, "mono"));
    const tr = document.createElement("tr");
    tr.className = "live-new";
    tr.append(received, type, from, id);
    rows.prepend(tr);
    if (empty) empty.hidden = true;
    root.hidden = false;
  });
}
`);
