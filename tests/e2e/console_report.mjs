// The reports page in headless Chromium (Debian's), driven by playwright-core: the tab; the
// daily report of the date in the URL shown in a sandboxed frame (no script of it runs, it
// cannot reach the console) with its heading; the date picker changes the URL and the report;
// the PDF, Markdown and JSON downloads are what the API serves for that date (the PDF a PDF);
// the period report shown on request; the scheduled reports kept, each file a download; the
// report jobs with "make it now" for an officer; the page in English.
// Screenshots at 390x844 and 1600x1000. Run by tests/integ/test_console_report_e2e.py, which
// made one scheduled report through the API first (KW_KEPT: its file names, comma-separated;
// KW_JOB: the job that made it).
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { must, openPage, shots as shotsIn } from "./e2e_page.mjs";

const require = createRequire(path.join(process.env.KW_CONSOLE_DIR, "package.json"));
const { chromium } = require("playwright-core");

const url = process.env.KW_URL;
const art = process.env.KW_ARTIFACTS || "";
const date = process.env.KW_DATE;
const kept = (process.env.KW_KEPT || "").split(",").filter(Boolean);
const step = (s) => console.error(`e2e-report: ${s}`);
const shots = (page, name) => shotsIn(page, art, name, true);
const text = async (page, sel) => (await page.textContent(sel)) || "";

async function signIn(page) {
  await page.goto(url + "/");
  await page.fill("input[name=name]", "zhang.wei");
  await page.fill("input[name=password]", process.env.KW_PASS);
  await page.click("button[type=submit]");
  await page.waitForSelector("a.tab[href='#/reports']");
}

// The frame's document once it holds the report (its body has text).
async function frameText(page, sel) {
  await page.waitForFunction((s) => !!document.querySelector(s)?.srcdoc, sel);
  return page.$eval(sel, (f) => f.srcdoc);
}

async function daily(page) {
  step("the daily report of the date in the URL, in a sandboxed frame");
  must((await text(page, "a.tab[href='#/reports']")) === "值守报告", "the tab in Chinese");
  await page.goto(`${url}/#/reports?date=${date}`);
  await page.waitForSelector("iframe.report-frame");
  const html = await frameText(page, "section.rdaily iframe.report-frame");
  must(/<html/i.test(html), "the frame holds the report's HTML");
  must((await page.getAttribute("section.rdaily iframe.report-frame", "sandbox")) === "", "every sandbox restriction");
  const inner = page.frameLocator("section.rdaily iframe.report-frame");
  const body = (await inner.locator("body").textContent()) || "";
  must(body.trim().length > 0, "the report has text in the frame");
  must(await page.evaluate(() => { try { return document.querySelector("iframe.report-frame").contentWindow.document === null; } catch { return true; } }),
    "the console cannot reach into the frame (no same origin)");
  must((await page.inputValue("section.rdaily input[type=date]")) === date, "the date picker shows the date");
  await shots(page, "r1-daily");
}

async function downloadsMatch(page) {
  step("the downloads are the API's for that date");
  for (const f of ["pdf", "md", "json"]) {
    const href = await page.getAttribute(`section.rdaily a.download-${f}`, "href");
    must(href.includes(`date=${date}`) && href.includes(`format=${f}`), `the ${f} link: ${href}`);
    const r = await page.evaluate(async (u) => {
      const x = await fetch(u);
      const b = new Uint8Array(await x.arrayBuffer());
      return { status: x.status, type: x.headers.get("Content-Type"), head: String.fromCharCode(...b.slice(0, 5)), n: b.length };
    }, href);
    must(r.status === 200 && r.n > 0, `${f}: ${r.status}, ${r.n} bytes`);
    if (f === "pdf") must(r.head === "%PDF-", `the PDF is a PDF: ${r.head}`);
    if (f === "json") must(r.type.startsWith("application/json"), `json's type: ${r.type}`);
  }
}

async function pickDate(page) {
  step("another date through the picker");
  const other = "2026-11-30";
  await page.fill("section.rdaily input[type=date]", other);
  await page.dispatchEvent("section.rdaily input[type=date]", "change");
  await page.waitForFunction((d) => location.hash === `#/reports?date=${d}`, other);
  await page.waitForFunction((d) => (document.querySelector("section.rdaily a.download-pdf") || {}).href?.includes(d), other);
  await frameText(page, "section.rdaily iframe.report-frame");
}

async function period(page) {
  step("the period report on request");
  await page.click("button.show-period");
  const html = await frameText(page, "section.rperiod iframe.report-frame");
  must(/<html/i.test(html), "the period report's HTML");
}

async function keptAndJobs(page) {
  step("the scheduled reports kept and the jobs");
  for (const f of kept) {
    const a = page.locator(`table.reports-kept td.files a[href='/api/v1/reports/files/${f}']`);
    must(await a.count() === 1, `the kept file ${f} is linked`);
    const st = await page.evaluate(async (u) => (await fetch(u)).status, `/api/v1/reports/files/${f}`);
    must(st === 200, `${f} downloads: ${st}`);
  }
  const bad = await page.evaluate(async () => (await fetch("/api/v1/reports/files/keepwatch.db")).status);
  must(bad === 404, `a file no report lists is not served: ${bad}`);
  const job = process.env.KW_JOB;
  must(await page.locator(`table.report-jobs tr[data-job='${job}'] button.run-now`).count() === 1, `the ${job} job, run now`);
  await shots(page, "r2-kept");
}

async function english(page) {
  step("in English");
  await page.click("a.lang");
  await page.waitForFunction(() => document.querySelector("a.tab[href='#/reports']")?.textContent === "Reports");
  must((await text(page, "section.rdaily h3")) === "Daily report", "the heading in English");
  await shots(page, "r3-english");
}

const { browser, page, errors } = await openPage(chromium);
try {
  fs.mkdirSync(art, { recursive: true });
  await signIn(page);
  await daily(page);
  await downloadsMatch(page);
  await pickDate(page);
  await period(page);
  await keptAndJobs(page);
  await english(page);
  must(errors.length === 0, `no page errors or dialogs: ${errors.join("; ")}`);
  console.log(JSON.stringify({ ok: true }));
} catch (e) {
  if (art) await page.screenshot({ path: path.join(art, "report-failure.png"), fullPage: true }).catch(() => 0);
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e), page_errors: errors }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
