import { z } from "zod";

/**
 * A tenant's name: `default` for the config file's items, an installation's configuration id
 * (`icfg_…`) for the Vercel integration's. Letters, digits, `_`, `-`, `.`, `:`; never a newline or
 * a `/`, so it is safe in keys and URLs.
 */
export const tenantName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/,
    "a tenant: letters, digits, '_', '-', '.' or ':', at most 128 characters",
  );
