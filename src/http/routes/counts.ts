import { z } from "zod";

const count = z.number().int();

/** What a tenant's purge deleted, by kind of record. */
export const purgeCountsSchema = z.strictObject({
  events: count,
  deliveries: count,
  attempts: count,
  destinationStates: count,
  sources: count,
  destinations: count,
  routes: count,
  actionRuns: count,
  actionReports: count,
});

/** An example of the counts. */
export const EXAMPLE_PURGE_COUNTS = {
  events: 12,
  deliveries: 20,
  attempts: 23,
  destinationStates: 1,
  sources: 1,
  destinations: 1,
  routes: 1,
  actionRuns: 0,
  actionReports: 0,
};
