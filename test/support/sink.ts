import { EventEmitter, once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a sink received. */
export interface Received {
  headers: IncomingMessage["headers"];
  body: Buffer;
  json: { id?: string; type?: string; [key: string]: unknown };
}

/** How the sink answers a request: a status (and headers), or "hang" / "reset". */
export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string | Buffer }
  | "hang"
  | "reset";

/** A real HTTP server on loopback that records what it receives; tests wait on its `request` event. */
export class Sink extends EventEmitter<{ request: [Received] }> {
  readonly received: Received[] = [];
  private readonly hanging: ServerResponse[] = [];
  reply: (r: Received, index: number) => Reply = () => ({ status: 200 });

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    super();
  }

  static async start(): Promise<Sink> {
    let sink: Sink | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => sink?.handle(req, res, Buffer.concat(chunks)));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    sink = new Sink(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
    return sink;
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    let json = {};
    try {
      json = JSON.parse(body.toString());
    } catch {
      json = {};
    }
    const received: Received = { headers: req.headers, body, json };
    const index = this.received.push(received) - 1;
    const reply = this.reply(received, index);
    if (reply === "hang") this.hanging.push(res);
    else if (reply === "reset") req.socket.destroy();
    else res.writeHead(reply.status, reply.headers).end(reply.body ?? "");
    this.emit("request", received);
  }

  /** Answers the oldest request left hanging; false when none is. */
  answerOldest(status = 200): boolean {
    const res = this.hanging.shift();
    if (!res) return false;
    res.writeHead(status).end();
    return true;
  }

  /** Requests left hanging, not yet answered. */
  get hangingCount(): number {
    return this.hanging.length;
  }

  /** Resolves once the sink has received `count` requests in all. */
  async waitFor(count: number): Promise<Received[]> {
    while (this.received.length < count) await once(this, "request");
    return this.received;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A clock the test moves by hand. */
export class FakeClock {
  constructor(private t = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(t: number): void {
    this.t = t;
  }
}
