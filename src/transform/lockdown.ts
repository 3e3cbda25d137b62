// Code that runs inside each route's context before any user code, written as JavaScript source
// because it executes in the isolate, not in Node.

/**
 * Prepares a fresh context and freezes it. It removes what could carry state from one call to the
 * next or outlive a call (FinalizationRegistry and WeakRef callbacks, shared memory, WebAssembly,
 * RegExp's legacy last-match statics), deep-freezes every built-in reachable from the global
 * object plus the hidden intrinsics (iterator and generator prototypes), and evaluates to
 * `makeRunner(factory, cap)`. The runner calls the factory for a fresh transform on every call, so
 * the top-level variables of the user's code start over for each event.
 */
export const LOCKDOWN_SOURCE = `(function () {
  "use strict";
  for (const name of ["SharedArrayBuffer", "Atomics", "WebAssembly", "FinalizationRegistry", "WeakRef"]) {
    delete globalThis[name];
  }
  for (const name of ["$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "input", "$_", "lastMatch", "$&",
    "lastParen", "$+", "leftContext", "$\`", "rightContext", "$'"]) {
    delete RegExp[name];
  }
  const noop = function () {};
  globalThis.console = { log: noop, info: noop, warn: noop, error: noop, debug: noop, trace: noop };

  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const PromiseCatch = Promise.prototype.catch;
  const isPromise = function (v) {
    return v instanceof Promise;
  };
  // Errors are caught here and returned, so the call ends normally and isolated-vm's epilogue
  // runs: a promise the code left rejected fails this call, never a later one.
  const describe = function (e) {
    try {
      if (e instanceof Error) return stringify({ name: String(e.name), message: String(e.message), stack: String(e.stack) });
      return stringify({ name: "", message: "transform threw " + String(e), stack: "" });
    } catch (_) {
      return stringify({ name: "", message: "transform threw a value that cannot be described", stack: "" });
    }
  };
  const makeRunner = function (factory, cap) {
    return function (raw, metaJson) {
      try {
        const transform = factory();
        if (typeof transform !== "function") {
          throw new TypeError("the code must define a function named transform");
        }
        const out = transform(parse(raw), parse(metaJson));
        if (out === null || out === undefined) return null;
        if (typeof out === "string") {
          if (out.length > cap) throw new RangeError("the output is larger than " + cap + " bytes");
          return "t" + out;
        }
        if (typeof out === "object") {
          if (isPromise(out)) {
            PromiseCatch.call(out, function () {});
            throw new TypeError("transform returned a promise: it must return its result directly");
          }
          const text = stringify(out);
          if (text.length > cap) throw new RangeError("the output is larger than " + cap + " bytes");
          return "j" + text;
        }
        throw new TypeError("transform returned a " + typeof out + ": return an object, a string, or null to skip");
      } catch (e) {
        return "e" + describe(e);
      }
    };
  };

  const seen = new Set();
  const freeze = function (o) {
    if ((typeof o !== "object" && typeof o !== "function") || o === null || seen.has(o)) return;
    seen.add(o);
    Object.freeze(o);
    for (const key of Reflect.ownKeys(o)) {
      const d = Reflect.getOwnPropertyDescriptor(o, key);
      if ("value" in d) freeze(d.value);
      else {
        freeze(d.get);
        freeze(d.set);
      }
    }
    freeze(Object.getPrototypeOf(o));
  };
  const proto = Object.getPrototypeOf;
  freeze(globalThis);
  for (const hidden of [
    proto([][Symbol.iterator]()),
    proto(new Map().entries()),
    proto(new Set().values()),
    proto(""[Symbol.iterator]()),
    proto("a".matchAll(/a/g)),
    proto(function* () {}),
    proto(async function () {}),
    proto(async function* () {}),
    proto(proto(async function* () {}).prototype),
  ]) {
    freeze(hidden);
  }
  return makeRunner;
})()`;
