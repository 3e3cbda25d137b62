/**
 * A validate-only twin of each catalog schema, for the ingest hot path. zod's `safeParse` builds a
 * copy of the whole body (every key of every loose object) to say "valid"; a validator compiled by
 * Ajv from the same schema's JSON Schema only walks it, ~20× faster. Valid bodies, nearly all of
 * them, stop there; a body the fast check refuses goes through zod, whose issues are the ones
 * reported. So the fast check may only ever be stricter than zod, never looser: the catalog's
 * schemas use plain types (strings, numbers, booleans, literals, enums, arrays, records, unions,
 * loose objects) that JSON Schema expresses exactly, and a test holds the two to the same verdict
 * on every sample and thousands of mutations of them.
 */
import { Ajv, type ValidateFunction } from "ajv";
import { z } from "zod";

const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });

/** Validators by schema, compiled on first use (~4 ms each) rather than all at start-up. */
const compiled = new WeakMap<z.ZodType, ValidateFunction | null>();

function validatorOf(schema: z.ZodType): ValidateFunction | null {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    try {
      validate = ajv.compile(
        z.toJSONSchema(schema, { target: "draft-7", io: "input", unrepresentable: "throw" }),
      );
    } catch {
      // A schema JSON Schema cannot express is always checked by zod.
      validate = null;
    }
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * True when `body` certainly matches `schema`; false when it may not, and zod must decide.
 */
export function surelyMatches(schema: z.ZodType, body: unknown): boolean {
  const validate = validatorOf(schema);
  return validate !== null && validate(body) === true;
}
