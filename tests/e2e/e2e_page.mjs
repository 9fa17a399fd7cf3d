// What the browser tests share: an expectation, the two screen sizes, the phone layout's
// check and the screenshots at both sizes.
import path from "node:path";

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1600, height: 1000 };

export function must(cond, what) {
  if (!cond) throw new Error(`expected: ${what}`);
}

// At phone width: nothing wider than the screen, no table cell too narrow for its text.
export async function phoneFits(page, name) {
  const r = await page.evaluate(() => {
    const narrow = [];
    for (const el of document.querySelectorAll("td, th")) {
      const box = el.getBoundingClientRect();
      if (!box.width || !el.textContent.trim() || getComputedStyle(el).display === "none") continue;
      if (el.closest(".scroll")) continue; // a wide calendar scrolls inside its own box
      if (box.width < 40) narrow.push(`${el.tagName} ${Math.round(box.width)}px "${el.textContent.trim().slice(0, 20)}"`);
    }
    return { scroll: document.documentElement.scrollWidth, narrow };
  });
  must(r.scroll <= 390, `${name}: no horizontal overflow at 390 px (scrollWidth ${r.scroll})`);
  must(r.narrow.length === 0, `${name}: no table cell under 40 px with text: ${r.narrow.slice(0, 5).join("; ")}`);
}

// Screenshots of the page shown into the folder art, at desktop and phone sizes (the whole
// page; with top, also what a phone shows first); checks the phone layout.
export async function shots(page, art, name, top = false) {
  await page.setViewportSize(DESKTOP);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(art, `${name}-1600x1000.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(300);
  await phoneFits(page, name);
  await page.screenshot({ path: path.join(art, `${name}-390x844.png`), fullPage: true });
  if (top) await page.screenshot({ path: path.join(art, `${name}-390x844-top.png`) });
  await page.setViewportSize(DESKTOP);
}

// Headless Chromium (KW_CHROMIUM) with a page in Chinese, in a browser zone far from the
// console's; page errors and dialogs are collected in errors (a dialog is dismissed).
export async function openPage(chromium) {
  const browser = await chromium.launch({ executablePath: process.env.KW_CHROMIUM, args: ["--no-sandbox"] });
  const ctx = await browser.newContext({ locale: "zh-CN", timezoneId: "America/New_York", viewport: DESKTOP });
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  return { browser, page, errors };
}
