// The sandbox process: runs routes' code in isolated-vm, away from the process that answers HTTP
// requests, so that a transform can neither stall ingest nor take its memory. It answers each
// request of its channel in order; a watchdog thread kills it when a call passes a hard limit.
import { Socket } from "node:net";
import { TransformCompileError } from "./compile-error.js";
import { encodeFrame, type Frame, FrameReader } from "./frames.js";
import {
  CHANNEL_FD,
  type HostReply,
  type HostRequest,
  type HostSettings,
  type WithoutId,
} from "./protocol.js";
import { Sandbox } from "./sandbox.js";
import { Watchdog } from "./watchdog.js";

const settings = JSON.parse(process.argv[2] ?? "") as HostSettings;
const sandbox = new Sandbox(settings.limits);
const watchdog = new Watchdog(settings.hardMemoryBytes);
const channel = new Socket({ fd: CHANNEL_FD, readable: true, writable: true });
const reader = new FrameReader<HostRequest>();

function handle({ header, payload }: Frame<HostRequest>): Buffer {
  const reply = (r: WithoutId<HostReply>, output?: string) => encodeFrame({ id: header.id, ...r }, output);
  switch (header.op) {
    case "run": {
      const result = sandbox.run(header.tenant, header.route, payload.toString("utf8"), header.meta);
      if (result.kind === "json" || result.kind === "text") return reply({ kind: result.kind }, result.text);
      return reply(result);
    }
    case "compile":
      try {
        sandbox.compile(header.tenant, header.route, payload.toString("utf8"), header.filename);
        return reply({ kind: "ok" });
      } catch (error) {
        if (!(error instanceof TransformCompileError)) throw error;
        return reply({ kind: "compile_error", message: error.reason, line: error.line });
      }
    case "drop":
      sandbox.drop(header.tenant, header.route);
      return reply({ kind: "ok" });
  }
}

// Answers go out together once the calls of a chunk are done, or as soon as a slow call ends:
// should a later call get the process killed, answers already written are not lost with it.
const FLUSH_AFTER_MS = 1;

channel.on("data", (chunk: Buffer) => {
  const frames = reader.push(chunk);
  if (frames.length === 0) return;
  let replies: Buffer[] = [];
  const flush = () => {
    if (replies.length === 0) return;
    channel.write(replies.length === 1 ? (replies[0] as Buffer) : Buffer.concat(replies));
    replies = [];
  };
  watchdog.busy();
  try {
    let since = performance.now();
    for (const frame of frames) {
      const cpuMs = frame.header.op === "compile" ? settings.hardCompileCpuMs : settings.hardCpuMs;
      watchdog.call(frame.header.id, cpuMs);
      replies.push(handle(frame));
      const now = performance.now();
      if (now - since > FLUSH_AFTER_MS) {
        flush();
        since = now;
      }
    }
  } finally {
    watchdog.idle();
  }
  flush();
});

// Switchyard closed the channel (it stops, or it died): nothing is left to serve.
channel.on("end", () => {
  sandbox.dispose();
  process.exit(0);
});
channel.on("error", () => process.exit(1));
