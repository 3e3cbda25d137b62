// Code that runs inside each route's context before any user code, written as JavaScript source
// because it executes in the isolate, not in Node.

/**
 * Prepares a fresh context and freezes it. It removes what could carry state from one call to the
 * next or outlive a call (FinalizationRegistry and WeakRef callbacks, shared memory, WebAssembly,
 * RegExp's legacy last-match statics), deep-freezes every object the code could reach (the
 * built-ins reachable from the global object, and the hidden ones the built-ins make, found by
 * calling them), and evaluates to `makeRunner(factory, cap)`. The runner calls the factory for a fresh transform on every call, so
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
  // runs: a promise the code left rejected fails this call, never a later one. Only the start of
  // a long message leaves the isolate (with its length), and of the stack only its frames.
  const MAX_TEXT = 4096;
  const describe = function (e) {
    try {
      if (e instanceof Error) {
        const message = String(e.message);
        const stack = String(e.stack);
        const at = stack.indexOf("\\n    at ");
        return stringify({
          name: String(e.name).slice(0, 200),
          message: message.slice(0, MAX_TEXT),
          length: message.length,
          stack: at < 0 ? "" : stack.slice(at, at + MAX_TEXT),
        });
      }
      const text = "transform threw " + String(e);
      return stringify({ name: "", message: text.slice(0, MAX_TEXT), length: text.length, stack: "" });
    } catch (_) {
      const text = "transform threw a value that cannot be described";
      return stringify({ name: "", message: text, length: text.length, stack: "" });
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

  // Every object the code could reach is frozen, so that nothing it writes outlives its call.
  // Walking the properties from the global object is not enough: some built-ins make objects whose
  // prototypes hang off no property (the iterators of Map, Set, String, RegExp#matchAll, the
  // segments of Intl.Segmenter and their iterator, ...). They are found rather than listed: every
  // built-in function reached is called (and constructed) with a few plain arguments, on an
  // instance of the prototype it belongs to once one exists, and what it returns is walked in
  // turn, until nothing new turns up. The only seeds are the prototypes that syntax alone makes.
  const isObject = function (v) {
    return (typeof v === "object" || typeof v === "function") && v !== null;
  };
  const proto = Object.getPrototypeOf;
  const ownKeys = Reflect.ownKeys;
  const describeKey = Reflect.getOwnPropertyDescriptor;
  const apply = Reflect.apply;
  const construct = Reflect.construct;
  const PromiseClass = Promise;
  const reached = new Set();
  const queue = [];
  const prototypes = new Set();
  const instances = new Map();
  const exercised = new Set();
  const reach = function (o) {
    if (isObject(o) && !reached.has(o)) {
      reached.add(o);
      queue.push(o);
    }
  };
  const made = function (r) {
    if (!isObject(r) || reached.has(r)) return;
    if (r instanceof PromiseClass) PromiseCatch.call(r, function () {});
    const p = proto(r);
    if (p === null) return;
    if (!instances.has(p)) instances.set(p, r);
    if (!reached.has(p)) prototypes.add(p);
    reach(p);
    reach(r);
  };
  const isPrototype = function (o) {
    if (prototypes.has(o)) return true;
    try {
      const d = describeKey(o, "constructor");
      return d !== undefined && "value" in d && typeof d.value === "function" && d.value.prototype === o;
    } catch (_) {
      return false;
    }
  };
  const exercise = function (f, self) {
    for (const args of [[], ["a"], [0], [{}], [[]], ["a", "a"]]) {
      try {
        made(apply(f, self, args));
      } catch (_) {}
      if (isObject(f.prototype)) {
        try {
          made(construct(f, args));
        } catch (_) {}
      }
    }
  };
  // A prototype's methods run on an instance of it, never on the prototype itself (Array.prototype
  // is an array: push would change it); one without an instance yet waits for one.
  const walk = function (o) {
    reach(proto(o));
    const holderIsPrototype = isPrototype(o);
    const self = holderIsPrototype ? instances.get(o) : o;
    if (holderIsPrototype && self === undefined) return false;
    for (const key of ownKeys(o)) {
      const d = describeKey(o, key);
      for (const f of "value" in d ? [d.value] : [d.get, d.set]) {
        reach(f);
        if (typeof f === "function" && !exercised.has(f)) {
          exercised.add(f);
          exercise(f, self);
        }
      }
    }
    return true;
  };
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0; // thousands of calls throw: no stack to capture for them
  reach(globalThis);
  for (const seed of [function* () {}, async function () {}, async function* () {}, (async function* () {})()]) {
    reach(proto(seed));
  }
  let waiting = [];
  for (let progress = true; progress; ) {
    progress = false;
    for (let i = 0; i < queue.length; i++) {
      try {
        if (!walk(queue[i])) waiting.push(queue[i]);
      } catch (_) {} // an exotic object made on the way (a revoked proxy) has nothing to walk
    }
    queue.length = 0;
    const still = [];
    for (const o of waiting) {
      if (instances.has(o)) {
        try {
          walk(o);
        } catch (_) {}
        progress = true;
      } else still.push(o);
    }
    waiting = still;
    if (queue.length > 0) progress = true;
  }
  Error.stackTraceLimit = stackTraceLimit;

  const frozen = new Set();
  const freeze = function (o) {
    if (!isObject(o) || frozen.has(o)) return;
    frozen.add(o);
    try {
      Object.freeze(o);
    } catch (_) {
      return; // a revoked proxy made while exploring: unreachable once lockdown returns
    }
    for (const key of ownKeys(o)) {
      const d = describeKey(o, key);
      if ("value" in d) freeze(d.value);
      else {
        freeze(d.get);
        freeze(d.set);
      }
    }
    freeze(proto(o));
  };
  for (const o of reached) freeze(o);
  return makeRunner;
})()`;
