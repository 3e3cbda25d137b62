/**
 * The dashboard's "send test event" type (`test-webhook` in the OpenAPI enum). Its payload is
 * undocumented, so any object is accepted.
 */
import { z } from "zod";
import { defineEvent } from "../define-event.js";

/** The test event definition. */
export const testEvents = [
  defineEvent({
    type: "test-webhook",
    category: "test",
    description: "A test event sent from the Vercel dashboard.",
    payload: z.looseObject({}),
  }),
] as const;
