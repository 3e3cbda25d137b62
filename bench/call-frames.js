// How bench/profile-top.js and bench/alloc-top.js name a profile's call frames.

/** A script's URL, short: `dist/…`, `bench/…`, `~/package/…` (node_modules), or `(native)`. */
export function shortUrl(/** @type {string} */ url) {
  return url === ""
    ? "(native)"
    : url
        .replace(/^file:\/\//, "")
        .replace(/^.*\/node_modules\//, "~/")
        .replace(/^.*\/(dist|bench)\//, "$1/");
}

/**
 * A call frame as `function  file:line`.
 * @param {{ functionName: string, url: string, lineNumber: number }} f
 */
export function frameLabel(f) {
  return `${f.functionName || "(anonymous)"}  ${shortUrl(f.url)}:${f.lineNumber + 1}`;
}
