import type { PageScript } from "../page-script.js";
import { EVENTS_LIVE_SCRIPT } from "./events-live-script.js";
import { OVERVIEW_LIVE } from "./overview-live-script.js";

/**
 * Every script a console page may run, each its own module. The console's CSP allows these
 * (by hash) and nothing else; a page names the ones it runs (`ConsoleLayout`'s `scripts`).
 */
export const CONSOLE_SCRIPTS: readonly PageScript[] = [OVERVIEW_LIVE, EVENTS_LIVE_SCRIPT];
