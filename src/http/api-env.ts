import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { AppContext } from "./context.js";

/** What the API's middleware puts on each request: its id, and a logger that carries it. */
export interface ApiEnv {
  /** What the node:http server passes each request; absent when the app is called without a socket. */
  Bindings: { outgoing?: ServerResponse } | undefined;
  Variables: {
    requestId: string;
    logger: Logger;
    /** The tenant a management request acts for (`?tenant=`, default `default`). */
    tenant: string;
  };
}

/** What the API app needs from the running application: all of it but ingest, which is served apart. */
export type ApiDeps = Omit<AppContext, "ingestor">;
