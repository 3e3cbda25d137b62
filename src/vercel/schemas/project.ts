/**
 * Project events (seed L249–L305, L403–L422): projects created or removed, and domains attached to
 * projects. Project-domain events keep the docs' hyphen spelling; the dotted one is an alias (§1.4).
 */
import { z } from "zod";
import { defineEvent } from "../define-event.js";
import { actorFields, idRef, namedProject } from "./shared.js";

const namedDomain = z.looseObject({ name: z.string() });
const projectDomainPayload = z.looseObject({ ...actorFields, project: idRef, domain: namedDomain });
const projectPayload = z.looseObject({ ...actorFields, project: namedProject });

// One side of `project.domain-updated`; the seed marks all but `domain` as possibly null.
const projectDomainSettings = z.looseObject({
  domain: z.string(),
  redirect: z.string().nullable(),
  redirectStatusCode: z.number().nullable(),
  gitBranch: z.string().nullable(),
});

/** Project and project-domain event definitions, in catalog order. */
export const projectEvents = [
  defineEvent({
    type: "project.created",
    category: "project",
    description: "A project was created (sent only to integrations with access to all projects).",
    payload: projectPayload,
  }),
  defineEvent({
    type: "project.removed",
    category: "project",
    description: "A project was removed (sent only to integrations with access to all projects).",
    payload: projectPayload,
  }),
  defineEvent({
    type: "project.domain-created",
    aliases: ["project.domain.created"],
    category: "project-domain",
    description: "A domain was added to a project.",
    payload: projectDomainPayload,
  }),
  defineEvent({
    type: "project.domain-deleted",
    aliases: ["project.domain.deleted"],
    category: "project-domain",
    description: "A domain was removed from a project.",
    payload: projectDomainPayload,
  }),
  defineEvent({
    type: "project.domain-moved",
    aliases: ["project.domain.moved"],
    category: "project-domain",
    description: "A domain was moved from one project to another.",
    payload: z.looseObject({
      ...actorFields,
      domain: namedDomain,
      from: z.looseObject({ projectId: z.string() }),
      to: z.looseObject({ projectId: z.string() }),
      isRedirect: z.boolean(),
    }),
  }),
  defineEvent({
    type: "project.domain-unverified",
    aliases: ["project.domain.unverified"],
    category: "project-domain",
    description: "A project domain became unverified.",
    payload: projectDomainPayload,
  }),
  defineEvent({
    type: "project.domain-updated",
    aliases: ["project.domain.updated"],
    category: "project-domain",
    description: "A project domain's settings (name, redirect, git branch) were updated.",
    payload: z.looseObject({
      ...actorFields,
      project: idRef,
      previous: projectDomainSettings,
      next: projectDomainSettings,
    }),
  }),
  defineEvent({
    type: "project.domain-verified",
    aliases: ["project.domain.verified"],
    category: "project-domain",
    description: "A project domain was verified.",
    payload: projectDomainPayload,
  }),
] as const;
