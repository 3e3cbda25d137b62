/**
 * The import rules of src/, checked by `npm run check:deps` (part of `npm test`). Each rule names
 * a direction the code must not take; a new import against one fails the tests with its rule.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Modules that import each other, directly or round about, cannot be read or moved apart.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "core-stays-inside",
      severity: "error",
      comment: "core/ (domain types, outcomes, policies) imports only itself, node and declared packages.",
      from: { path: "^src/core/" },
      to: { pathNot: "^src/core/", dependencyTypesNot: ["core", "npm"] },
    },
    {
      name: "signatures-stay-inside",
      severity: "error",
      comment: "signatures/ (verify and sign) imports only itself, node and declared packages.",
      from: { path: "^src/signatures/" },
      to: { pathNot: "^src/signatures/", dependencyTypesNot: ["core", "npm"] },
    },
    {
      name: "signatures-are-pure",
      severity: "error",
      comment: "signatures/ does no I/O: of node's modules it uses only crypto.",
      from: { path: "^src/signatures/" },
      to: { dependencyTypes: ["core"], pathNot: "^(node:)?crypto$" },
    },
    {
      name: "vercel-entry-stands-alone",
      severity: "error",
      comment: "src/vercel/ is the published switchyard/vercel entry: it cannot pull in the gateway.",
      from: { path: "^src/vercel/" },
      to: { path: "^src/(ingest|delivery|storage|http|config)/" },
    },
    {
      name: "vercel-web-entries-without-node",
      severity: "error",
      comment:
        "switchyard/vercel, /next and /hono run on edge runtimes: of src/vercel/ only node.ts and express.ts may use node's modules, or the node:crypto signature helpers (test/vercel/library-web-entry.test.ts runs the built entries without any built-in).",
      from: {
        path: "^src/(vercel/|signatures/vercel-webcrypto\\.ts$)",
        pathNot: "^src/vercel/(node|express)\\.ts$",
      },
      // node's modules resolve to bare names ("crypto"), packages to node_modules/ paths.
      to: {
        path: "^(src/signatures/(?!vercel-webcrypto\\.ts$)|src/vercel/(node|express)\\.ts$|[a-z_/]+$|node:)",
      },
    },
    {
      name: "storage-below-its-users",
      severity: "error",
      comment: "storage/ serves http, delivery and ingest; it never imports them.",
      from: { path: "^src/storage/" },
      to: { path: "^src/(http|delivery|ingest)/" },
    },
    {
      name: "transform-below-config",
      severity: "error",
      comment: "transform/ owns its schema; config imports it, never the other way round.",
      from: { path: "^src/transform/" },
      to: { path: "^src/config/" },
    },
    {
      name: "delivery-beside-ingest",
      severity: "error",
      comment: "delivery/ and ingest/ share code through core/ and signatures/, not through each other.",
      from: { path: "^src/delivery/" },
      to: { path: "^src/ingest/" },
    },
    {
      name: "topology-below-its-users",
      severity: "error",
      comment: "topology/ is read by ingest, routing, delivery and operations; it never imports them.",
      from: { path: "^src/topology/" },
      to: { path: "^src/(ingest|routing|delivery|operations|http|cli)/" },
    },
    {
      name: "operations-below-interfaces",
      severity: "error",
      comment:
        "operations/ are the use cases the HTTP API, the CLI and the pages call; they never import those.",
      from: { path: "^src/operations/" },
      to: { path: "^src/(http|cli|pages)/" },
    },
    {
      name: "pages-below-http",
      severity: "error",
      comment: "pages/ is mounted by http/ and calls operations/; it never imports http or cli.",
      from: { path: "^src/pages/" },
      to: { path: "^src/(http|cli)/" },
    },
    {
      name: "actions-from-the-root",
      severity: "error",
      comment:
        "actions/ (the runner of deployment integration actions) is started by app.ts; the rest of src/ reads runs through the store.",
      from: { path: "^src/", pathNot: "^src/(app\\.ts|actions/)" },
      to: { path: "^src/actions/" },
    },
    {
      name: "actions-below-interfaces",
      severity: "error",
      comment:
        "actions/ works on the store and Vercel's API; it never imports ingest, delivery, operations, http, pages or cli.",
      from: { path: "^src/actions/" },
      to: { path: "^src/(ingest|delivery|operations|http|pages|cli|dev)/" },
    },
    {
      name: "dev-only-from-cli",
      severity: "error",
      comment:
        "dev/ (the fake Vercel) ships for `switchyard dev`; only the CLI starts it, the gateway never does.",
      from: { path: "^src/", pathNot: "^src/(cli|dev)/" },
      to: { path: "^src/dev/" },
    },
    {
      name: "dev-stands-apart",
      severity: "error",
      comment:
        "dev/ stands in for Vercel, not for Switchyard: it imports only core, signatures, vercel and node.",
      from: { path: "^src/dev/" },
      to: { pathNot: "^src/(dev|core|signatures|vercel)/", dependencyTypesNot: ["core"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
