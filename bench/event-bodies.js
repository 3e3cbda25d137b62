// Distinct, signed `deployment.created` bodies for the ingest benchmark, made in chunks.
//
// A full `sampleEvent` + `JSON.stringify` costs ~35 µs, more than the request itself, so each chunk
// renders one sample (fresh deployment id and time) as a template and only the envelope `id` changes
// from body to body: a byte copy and an HMAC (~7 µs) per body.
import { createHmac } from "node:crypto";
import { sampleEvent } from "../dist/vercel/index.js";

/** Width of every event id, so that all bodies of a run have the same size. */
const ID_LENGTH = 28;
const PLACEHOLDER = `evt_${"#".repeat(ID_LENGTH - 4)}`;

/**
 * @typedef {object} BodyChunk
 * @property {ArrayBuffer} bytes every body of the chunk, back to back
 * @property {number} size the size of each body in bytes
 * @property {string[]} signatures the `x-vercel-signature` of each body
 */

/**
 * Renders one sample event, its `payload.deployment.meta` padded with filler strings so the JSON is
 * exactly `targetBytes` long, and splits it around the id.
 * @param {number} targetBytes
 * @returns {{ prefix: Buffer, suffix: Buffer }}
 */
export function renderTemplate(targetBytes) {
  const event = /** @type {{ payload: { deployment: { meta: Record<string, string> } } }} */ (
    sampleEvent("deployment.created", { id: PLACEHOLDER })
  );
  const meta = event.payload.deployment.meta;
  let text = JSON.stringify(event);
  for (let i = 0; text.length < targetBytes; i++) {
    const key = `benchFiller${String(i).padStart(2, "0")}`;
    meta[key] = "";
    const room = targetBytes - JSON.stringify(event).length;
    meta[key] = "x".repeat(Math.max(0, Math.min(64, room)));
    text = JSON.stringify(event);
  }
  const at = text.indexOf(PLACEHOLDER);
  return {
    prefix: Buffer.from(text.slice(0, at)),
    suffix: Buffer.from(text.slice(at + PLACEHOLDER.length)),
  };
}

/**
 * Makes bodies whose ids are `evt_<runTag><sequence>`: unique within a run (the sequence) and
 * across runs on the same database (the tag).
 * @param {{ secret: string, runTag: string, targetBytes: number }} options
 */
export function createBodyFactory({ secret, runTag, targetBytes }) {
  const digits = ID_LENGTH - 4 - runTag.length;
  let next = 0;
  return {
    /**
     * @param {number} count
     * @returns {BodyChunk}
     */
    chunk(count) {
      const { prefix, suffix } = renderTemplate(targetBytes);
      const size = prefix.length + ID_LENGTH + suffix.length;
      const bytes = Buffer.alloc(size * count);
      const signatures = new Array(count);
      for (let i = 0; i < count; i++) {
        const start = i * size;
        const id = `evt_${runTag}${String(next++).padStart(digits, "0")}`;
        prefix.copy(bytes, start);
        bytes.write(id, start + prefix.length, "latin1");
        suffix.copy(bytes, start + prefix.length + ID_LENGTH);
        signatures[i] = createHmac("sha1", secret)
          .update(bytes.subarray(start, start + size))
          .digest("hex");
      }
      return { bytes: /** @type {ArrayBuffer} */ (bytes.buffer), size, signatures };
    },
  };
}
