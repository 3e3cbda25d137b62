// The Switchyard config the delivery benchmarks run with: one signed `vercel` source and one
// `sink` destination (standard-webhooks signing), private addresses allowed since the sink is local.

/** The destination's signing secret. */
const SIGNING_SECRET = `whsec_${Buffer.from("bench-signing-key-0123456789abcd").toString("base64")}`;

/**
 * @param {object} options
 * @param {string} options.databaseUrl
 * @param {string} options.secret the source's signing secret
 * @param {string} options.sinkUrl
 * @param {number} options.concurrency the destination's maxConcurrency and the worker's concurrency
 * @param {string} options.routes the `routes:` entry, as YAML
 * @returns {string} the YAML text
 */
export function benchConfig({ databaseUrl, secret, sinkUrl, concurrency, routes }) {
  return [
    `database: { url: "${databaseUrl}" }`,
    "adminToken: bench-admin-token-0123456789",
    "log: { level: info }",
    "server: { host: 127.0.0.1 }",
    `sources: [{ slug: vercel, kind: vercel, secrets: ["${secret}"] }]`,
    `destinations: [{ slug: sink, url: "${sinkUrl}", maxConcurrency: ${concurrency}, signing: { scheme: standard-webhooks, secrets: ["${SIGNING_SECRET}"] } }]`,
    routes,
    `delivery: { allowPrivateNetworks: true, concurrency: ${concurrency} }`,
    "",
  ].join("\n");
}

/**
 * The config of the ingest benchmarks: one signed `vercel` source, no routes.
 * @param {object} options
 * @param {string} options.databaseUrl
 * @param {string} options.secret the source's signing secret
 * @returns {string} the YAML text
 */
export function ingestConfig({ databaseUrl, secret }) {
  return [
    `database: { url: "${databaseUrl}" }`,
    "adminToken: bench-admin-token-0123456789",
    "log: { level: info }",
    "server: { host: 127.0.0.1 }",
    `sources: [{ slug: vercel, kind: vercel, secrets: ["${secret}"] }]`,
    "",
  ].join("\n");
}
