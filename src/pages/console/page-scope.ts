import type { Context, Handler } from "hono";
import { DEFAULT_TENANT } from "../../core/types.js";

/** A link of the header's navigation; `section` marks it current on that section's pages. */
export interface NavItem {
  section: string;
  href: string;
  label: string;
}

/**
 * Whom a section's pages serve, and so how they link: the console's admin (any tenant, named by
 * `?tenant=`, under `/`) or one installation's user (its own tenant only, named by its session,
 * under the integration's path). The same pages serve both.
 */
export interface PageScope {
  /** What the section's links start with: `""` for the console, `/integrations/vercel` for an installation. */
  base: string;
  /** The session fixes the tenant: no tenant in links, no tenant field in forms. */
  tenantFixed: boolean;
  /** Where the header's name leads. */
  home: string;
  nav: readonly NavItem[];
  /** The header shows sign out (the console's session; an installation's ends from Vercel). */
  signOut: boolean;
}

/** What a page of a section knows of its request's access: its forms' CSRF token, its tenant, its scope. */
export interface PageView {
  csrf: string;
  tenant: string;
  scope: PageScope;
}

/** A submitted form: each field's value, or values when it came more than once. */
export type PageForm = Record<string, string | string[]>;

/**
 * How a section's routes are guarded: a page for a live session only, a form with its CSRF token
 * checked first. The console and an installation's pages each give one.
 */
export interface PageAccess {
  page(handler: (c: Context, view: PageView) => Promise<Response>): Handler;
  form(handler: (c: Context, view: PageView, form: PageForm) => Promise<Response>): Handler;
}

/** The console's sections, in the order of its navigation. */
export const CONSOLE_SCOPE: PageScope = {
  base: "",
  tenantFixed: false,
  home: "/",
  nav: [
    { section: "/overview", href: "/overview", label: "Overview" },
    { section: "/events", href: "/events", label: "Events" },
    { section: "/destinations", href: "/destinations", label: "Destinations" },
    { section: "/routes", href: "/routes", label: "Routes" },
    { section: "/dead-letters", href: "/dead-letters", label: "Dead letters" },
  ],
  signOut: true,
};

/** `?tenant=` (or `&tenant=`) for the links of a page acting for `tenant` in `scope`: none when the session fixes it, or for the default tenant. */
export function scopedTenantQuery(scope: PageScope, tenant: string, prefix: "?" | "&" = "?"): string {
  return scope.tenantFixed || tenant === DEFAULT_TENANT
    ? ""
    : `${prefix}tenant=${encodeURIComponent(tenant)}`;
}
