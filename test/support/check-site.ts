import { once } from "node:events";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request to `/hang` held open: the test answers it, or sees its client give up. */
export interface Hang {
  answer(status: number, body: string): void;
  /** Resolves when the response ends: answered, or its connection closed by the client. */
  closed: Promise<void>;
  /** Whether the client gave up before an answer. */
  readonly abandoned: boolean;
}

/**
 * A deployment's site for deployment checks, on loopback: `/hang…` holds each request until the
 * test answers it; any other path answers `health`.
 */
export class CheckSite {
  health = { status: 200, body: "all ok" };
  readonly #server: Server;
  readonly #arrived: Hang[] = [];
  readonly #waiting: ((hang: Hang) => void)[] = [];
  readonly #open = new Set<ServerResponse>();
  host = "";

  private constructor() {
    this.#server = createServer((req, res) => {
      if (!req.url?.startsWith("/hang")) {
        res.writeHead(this.health.status, { "content-type": "text/plain" }).end(this.health.body);
        return;
      }
      this.#open.add(res);
      let answered = false;
      const hang: Hang = {
        answer: (status, body) => {
          answered = true;
          res.writeHead(status, { "content-type": "text/plain" }).end(body);
        },
        closed: once(res, "close").then(() => {
          this.#open.delete(res);
        }),
        get abandoned() {
          return !answered && res.destroyed;
        },
      };
      const waiter = this.#waiting.shift();
      if (waiter) waiter(hang);
      else this.#arrived.push(hang);
    });
  }

  static async start(): Promise<CheckSite> {
    const site = new CheckSite();
    site.#server.listen(0, "127.0.0.1");
    await once(site.#server, "listening");
    site.host = `127.0.0.1:${(site.#server.address() as AddressInfo).port}`;
    return site;
  }

  /** The next request to `/hang` (one that came already, or the next to come). */
  nextHang(): Promise<Hang> {
    const hang = this.#arrived.shift();
    if (hang) return Promise.resolve(hang);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  async close(): Promise<void> {
    for (const res of this.#open) res.destroy();
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
