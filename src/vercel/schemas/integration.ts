/**
 * Integration events (seed L306–L354, reference §1.5): changes to an installation itself (the
 * control plane: permissions, removal, scopes, transfer) and resources connected to projects.
 */
import { z } from "zod";
import { defineEvent } from "../define-event.js";
import { actorFields, idRef, installationFields, projectSelection } from "./shared.js";

const projectScopedConfiguration = z.looseObject({
  id: z.string(),
  projectSelection,
  projects: z.array(z.string()),
});

/** Integration event definitions, in catalog order. */
export const integrationEvents = [
  defineEvent({
    type: "integration-configuration.permission-upgraded",
    category: "integration",
    description: "The user changed which projects an integration installation may access.",
    payload: z.looseObject({
      ...actorFields,
      configuration: projectScopedConfiguration,
      projects: z.looseObject({ added: z.array(z.string()), removed: z.array(z.string()) }),
    }),
  }),
  defineEvent({
    type: "integration-configuration.removed",
    category: "integration",
    description: "An integration installation was removed (uninstalled).",
    payload: z.looseObject({ ...actorFields, configuration: projectScopedConfiguration }),
  }),
  defineEvent({
    type: "integration-configuration.scope-change-confirmed",
    category: "integration",
    description: "The user confirmed pending scope changes of an integration installation.",
    payload: z.looseObject({
      ...actorFields,
      configuration: z.looseObject({ id: z.string(), scopes: z.array(z.string()) }),
    }),
  }),
  defineEvent({
    type: "integration-configuration.transferred",
    category: "integration",
    description: "An integration installation was transferred to another team or account.",
    payload: z.looseObject({
      ...installationFields,
      // Nullable on the assumption that personal accounts have no team id.
      previousTeamId: z.string().nullable(),
      previousAccountId: z.string(),
      newTeamId: z.string().nullable(),
      newAccountId: z.string(),
    }),
  }),
  defineEvent({
    type: "integration-resource.project-connected",
    category: "integration",
    description: "The user connected an integration resource to a project.",
    payload: z.looseObject({
      ...installationFields,
      resourceId: z.string(),
      project: z.looseObject({ id: z.string(), name: z.string() }),
      // Same as project.id.
      projectId: z.string(),
      targets: z.array(z.string()),
    }),
  }),
  defineEvent({
    type: "integration-resource.project-disconnected",
    category: "integration",
    description: "The user disconnected an integration resource from a project.",
    payload: z.looseObject({
      ...installationFields,
      resourceId: z.string(),
      project: idRef,
      projectId: z.string(),
      targets: z.array(z.string()),
    }),
  }),
] as const;
