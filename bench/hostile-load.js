// The hostile clients of `npm run bench:hostile` as a process of their own, so that their work
// (writing megabytes into sockets the server resets) never delays the valid events' sender.
//
// Args: --url URL --from ADDRESS --counts JSON ({"slowBodies":200,...}). Prints {"open":N} once
// the connections are under way; on SIGUSR2 it stops them and prints {"outcomes":{...}}, then
// waits to be ended.
import { setTimeout as delay } from "node:timers/promises";
import { parseArgs } from "node:util";
import { startHostileClients } from "./hostile-clients.js";

const { values: args } = parseArgs({
  options: { url: { type: "string" }, from: { type: "string" }, counts: { type: "string" } },
});
if (!args.url || !args.from || !args.counts)
  throw new Error("usage: hostile-load.js --url U --from A --counts JSON");

const clients = startHostileClients(args.url, args.from, JSON.parse(args.counts));
process.once("SIGUSR2", async () => {
  const outcomes = await clients.stop();
  process.stdout.write(`${JSON.stringify({ outcomes })}\n`);
});
// Give the connections a moment to open before saying how many are.
await delay(500);
process.stdout.write(`${JSON.stringify({ open: clients.open })}\n`);
