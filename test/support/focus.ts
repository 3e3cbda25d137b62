import type { Page } from "playwright-core";

/** The element that has keyboard focus, as a person using a screen reader would hear it. */
export interface Focused {
  tag: string;
  id: string;
  /** Its accessible name, roughly: aria-label, its label's text, or its own text. */
  name: string;
}

/** What has focus now. */
export function focused(page: Page): Promise<Focused> {
  // A string: it runs in the page, whose DOM types this project does not compile against.
  return page.evaluate<Focused>(`(() => {
    const el = document.activeElement;
    if (!el) return { tag: "", id: "", name: "" };
    const name = el.getAttribute("aria-label") ?? el.labels?.[0]?.textContent ?? el.textContent ?? "";
    return { tag: el.tagName.toLowerCase(), id: el.id, name: name.replace(/\\s+/g, " ").trim() };
  })()`);
}

/**
 * Presses Tab until the focused element's name is `name` (or matches it), at most `limit` times;
 * fails naming every stop passed. Returns the names of the stops passed on the way.
 */
export async function tabTo(page: Page, name: string | RegExp, limit = 40): Promise<string[]> {
  const passed: string[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    const now = await focused(page);
    if (typeof name === "string" ? now.name === name : name.test(now.name)) return passed;
    passed.push(now.name);
  }
  throw new Error(`Tab never reached ${String(name)}; it passed ${JSON.stringify(passed)}`);
}

/** An sRGB colour's relative luminance (WCAG 2.1). */
function luminance([r, g, b]: readonly number[]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r ?? 0) + 0.7152 * lin(g ?? 0) + 0.0722 * lin(b ?? 0);
}

/** The contrast ratio of two colours given as `rgb(r, g, b)` (WCAG 2.1: 1 to 21). */
export function contrast(a: string, b: string): number {
  const parse = (color: string) => (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
  const [hi, lo] = [luminance(parse(a)), luminance(parse(b))].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * The focus indicator of the focused element: the outline's style and width, and the contrast of
 * its colour with the background it is drawn on (the nearest ancestor's that is not transparent).
 */
export async function focusRing(page: Page): Promise<{ style: string; width: number; contrast: number }> {
  const ring = await page.evaluate<{ style: string; width: number; color: string; behind: string }>(`(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    let behind = "rgb(255, 255, 255)";
    for (let node = el.parentElement; node; node = node.parentElement) {
      const bg = getComputedStyle(node).backgroundColor;
      if (bg !== "transparent" && !/rgba\\(.*,\\s*0\\)$/.test(bg)) {
        behind = bg;
        break;
      }
    }
    return {
      style: style.outlineStyle,
      width: Number.parseFloat(style.outlineWidth),
      color: style.outlineColor,
      behind,
    };
  })()`);
  return { style: ring.style, width: ring.width, contrast: contrast(ring.color, ring.behind) };
}
