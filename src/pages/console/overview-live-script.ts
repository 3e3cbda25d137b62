import { pageScript } from "../page-script.js";

/** How often the overview refreshes while its tab is shown. */
export const OVERVIEW_REFRESH_MS = 5_000;

/**
 * The overview's live updates: every few seconds while the tab is shown, fetch the page's content
 * again (`data-live`, an HTML fragment of this server's) and swap it in, keeping open what was
 * open. Paused while the tab is hidden, refreshed at once when it is shown again; stopped when
 * the session has ended (401), where a reload signs in.
 */
export const OVERVIEW_LIVE = pageScript(`
const live = document.getElementById("overview-live");
let timer;
const schedule = () => {
  clearTimeout(timer);
  if (document.visibilityState === "visible") timer = setTimeout(refresh, ${OVERVIEW_REFRESH_MS});
};
async function refresh() {
  if (document.visibilityState !== "visible") return;
  try {
    const answer = await fetch(live.dataset.live, { headers: { accept: "text/html" }, redirect: "error" });
    if (answer.status === 401) return;
    if (answer.ok) {
      const open = [...live.querySelectorAll("details[open]")].map((d) => d.id);
      live.innerHTML = await answer.text();
      for (const id of open) document.getElementById(id)?.setAttribute("open", "");
    }
  } catch {
    // Offline or restarting: try again on the next turn.
  }
  schedule();
}
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") refresh();
  else clearTimeout(timer);
});
schedule();
`);
