import type { DestinationConfig } from "../config/routing-schema.js";
import type { Destination } from "../core/destination.js";
import { DEFAULT_TENANT } from "../core/types.js";

/** A destination of the config file as delivery sees it: owned by `tenant` (the config's is `default`). */
export function destinationOf(config: DestinationConfig, tenant: string = DEFAULT_TENANT): Destination {
  return {
    tenant,
    slug: config.slug,
    url: config.url,
    headers: config.headers,
    timeout: config.timeout,
    retry: config.retry,
    signing: config.signing,
    maxConcurrency: config.maxConcurrency,
    rateLimit: config.rateLimit ?? null,
    ordering: config.ordering,
    allowPrivateNetwork: config.allowPrivateNetwork,
  };
}
