import { ADMIN_TOKEN } from "./app.js";

/** One Server-Sent Events message as a client dispatches it (a comment is a message of its own here). */
export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
  comment?: string;
}

/** Parses the text of one message (the lines between blank lines). */
export function parseSseMessage(block: string): SseMessage {
  const message: SseMessage = {};
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) {
      message.comment = line.slice(1).trimStart();
      continue;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") message.id = value;
    else if (field === "event") message.event = value;
    else if (field === "data")
      message.data = message.data === undefined ? value : `${message.data}\n${value}`;
    else if (field === "retry") message.retry = Number(value);
  }
  return message;
}

/** The whole messages of a stream's text; a message cut short at the end is dropped, as a client does. */
export function sseMessages(text: string): SseMessage[] {
  const blocks = text.split("\n\n");
  blocks.pop();
  return blocks.map(parseSseMessage);
}

/** A client of an event stream over fetch, reading messages as they come. */
export class SseClient {
  private buffer = "";
  private readonly decoder = new TextDecoder();
  /** The id of the last event message read (what a reconnect sends as Last-Event-ID). */
  lastEventId: string | undefined;

  private constructor(
    readonly response: Response,
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly abort: AbortController,
  ) {}

  /** Opens `path` of the app with the admin token (and `headers`); the answer may be an error. */
  static async open(appUrl: string, path: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const abort = new AbortController();
    const response = await fetch(`${appUrl}${path}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
      signal: abort.signal,
    });
    const body = response.body;
    if (!body) throw new Error("an answer without a body");
    return new SseClient(response, body.getReader(), abort);
  }

  /** The next message, comments included; null when the stream ended. */
  async next(): Promise<SseMessage | null> {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end !== -1) {
        const message = parseSseMessage(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 2);
        if (message.event !== undefined && message.id !== undefined) this.lastEventId = message.id;
        return message;
      }
      const { done, value } = await this.reader.read();
      if (done) return null;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** The next `count` event messages (comments and hints skipped), parsed: their ids and data. */
  async events(count: number): Promise<{ id: string; data: Record<string, unknown> }[]> {
    const out: { id: string; data: Record<string, unknown> }[] = [];
    while (out.length < count) {
      const message = await this.next();
      if (message === null) throw new Error(`the stream ended after ${out.length} of ${count} events`);
      if (message.event !== "event") continue;
      out.push({
        id: message.id as string,
        data: JSON.parse(message.data as string) as Record<string, unknown>,
      });
    }
    return out;
  }

  /** Ends the connection from the client's side. */
  close(): void {
    this.abort.abort();
  }
}
