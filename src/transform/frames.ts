/**
 * The framing between Switchyard and its sandbox process: each message is a length-prefixed frame
 * of a small JSON header and raw bytes (an event's body, a transform's output), so the bytes cross
 * the pipe as they are, without being escaped into JSON.
 *
 *   u32 header length | u32 payload length | header (UTF-8 JSON) | payload
 */

const PREFIX = 8;

/** One frame: a header and its payload. */
export interface Frame<H> {
  header: H;
  payload: Buffer;
}

/** Encodes one frame. */
export function encodeFrame(header: unknown, payload: Uint8Array | string = ""): Buffer {
  const head = Buffer.from(JSON.stringify(header), "utf8");
  const bodyLength = typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength;
  const out = Buffer.allocUnsafe(PREFIX + head.length + bodyLength);
  out.writeUInt32LE(head.length, 0);
  out.writeUInt32LE(bodyLength, 4);
  head.copy(out, PREFIX);
  if (typeof payload === "string") out.write(payload, PREFIX + head.length, "utf8");
  else out.set(payload, PREFIX + head.length);
  return out;
}

/** Splits a byte stream into frames, whatever the chunk boundaries. */
export class FrameReader<H> {
  private pending: Buffer[] = [];
  private size = 0;

  /** Adds a chunk; returns the frames it completed, in order. */
  push(chunk: Buffer): Frame<H>[] {
    this.pending.push(chunk);
    this.size += chunk.length;
    if (this.size < PREFIX) return [];
    let data =
      this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.size);
    const frames: Frame<H>[] = [];
    for (;;) {
      if (data.length < PREFIX) break;
      const headLength = data.readUInt32LE(0);
      const bodyLength = data.readUInt32LE(4);
      const end = PREFIX + headLength + bodyLength;
      if (data.length < end) break;
      const header = JSON.parse(data.toString("utf8", PREFIX, PREFIX + headLength)) as H;
      // A copy: a slice would keep the whole chunk alive for as long as the payload is.
      const payload = Buffer.from(data.subarray(PREFIX + headLength, end));
      frames.push({ header, payload });
      data = data.subarray(end);
    }
    this.pending = data.length > 0 ? [data] : [];
    this.size = data.length;
    return frames;
  }
}
