import axe from "axe-core";
import type { Page } from "playwright-core";

/** The rules run: WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] as const;

/** The impacts a page must have none of. */
const BLOCKING = new Set(["serious", "critical"]);

/** One rule a page breaks, and where. */
export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  /** The CSS selectors of every element that breaks it. */
  targets: string[];
}

/**
 * Runs axe-core's WCAG 2.1 A and AA rules on the page as it is now and returns every violation.
 * The pages' CSP allows no script of ours, so axe's source goes in through `page.evaluate`,
 * which the devtools protocol runs outside the page's CSP (an added script tag would be refused).
 */
export async function axeViolations(
  page: Page,
  tags: readonly string[] = WCAG_21_AA,
): Promise<AxeViolation[]> {
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.evaluate(axe.source);
  // A string: it runs in the page, whose DOM types this project does not compile against.
  return page.evaluate<AxeViolation[]>(`(async () => {
    const results = await window.axe.run(document, {
      runOnly: { type: "tag", values: ${JSON.stringify(tags)} },
      resultTypes: ["violations"],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? "unknown",
      help: v.help,
      targets: v.nodes.map((n) => n.target.map(String).join(" ")),
    }));
  })()`);
}

/**
 * The page's serious and critical violations, one line each (rule id, the elements' selectors,
 * what the rule asks): `expect(await seriousViolations(page)).toEqual([])` lists them all on failure.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  return (await axeViolations(page))
    .filter((v) => BLOCKING.has(v.impact))
    .map((v) => `${v.id} (${v.impact}): ${v.targets.join(", ")}: ${v.help}`);
}
