// The findings page in headless Chromium (Debian's), driven by playwright-core: the counts
// and the burndown, 50 findings a page, a change made elsewhere drawn live, the filters (server-side) kept in the URL hash across
// a reload, the sort and the pages; a finding whose title, evidence, references, description
// and history carry markup and script, shown as text (only its https reference a link);
// assigning a finding (owner, department, due date) and marking it fixed from the page; a
// move the server refuses (the finding changed behind the page's back) with its message
// shown; a member's moves, in English; every page at 390x844 without horizontal overflow, screenshots at 390x844 and
// 1600x1000. Run by tests/integ/test_console_findings_e2e.py, which seeds the findings.
// KW_TIMING=1: only times the page's table (navigation to the 50 rows drawn), 5 loads.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { must, openPage, shots as shotsIn } from "./e2e_page.mjs";

const require = createRequire(path.join(process.env.KW_CONSOLE_DIR, "package.json"));
const { chromium } = require("playwright-core");

const url = process.env.KW_URL;
const art = process.env.KW_ARTIFACTS || "";
const step = (s) => console.error(`e2e-findings: ${s}`);
const shots = (page, name) => shotsIn(page, art, name, true);

const api = (page, p) => page.evaluate(async (u) => (await fetch(u)).json(), p);
const hashHas = (page, s) => page.waitForFunction((x) => location.hash.includes(x), s);

// Waits for the table drawn for the hash now shown, with n rows of the API's answer.
async function tableFor(page, query) {
  const want = await api(page, `/api/v1/findings?limit=50${query ? `&${query}` : ""}`);
  const ids = want.findings.map((f) => String(f["keepwatch.finding.id"]));
  await page.waitForFunction((w) => {
    const got = [...document.querySelectorAll("table.findings tr.finding")].map((x) => x.dataset.id);
    return JSON.stringify(got) === w;
  }, JSON.stringify(ids), { timeout: 15000 });
  must((await page.textContent("p.pages .range")).includes(`共 ${want.total} 条`), `the total ${want.total} for ${query}`);
  return want;
}

// A POST with the session's CSRF token, as another console would send it; its status.
const post = (page, p, body) => page.evaluate(async ([u, b]) => {
  const s = await (await fetch("/api/v1/session")).json();
  const r = await fetch(u, { method: "POST", body: JSON.stringify(b),
    headers: { "Content-Type": "application/json", "X-CSRF-Token": s.csrf } });
  return r.status;
}, [p, body]);

async function signIn(page, user = process.env.KW_USER || "zhang.wei") {
  await page.goto(url + "/");
  await page.fill("input[name=name]", user);
  await page.fill("input[name=password]", process.env.KW_PASS);
  await page.click("button[type=submit]");
  await page.waitForSelector("a.tab[href='#/findings']");
}

async function timing(page) {
  await signIn(page);
  const times = [];
  for (let i = 0; i < 5; i++) {
    await page.goto(url + "/#/overview");
    await page.waitForSelector("#n-firing"); // the wall drawn: its answers are in
    await page.waitForTimeout(300);
    const t0 = Date.now();
    await page.click("a.tab[href='#/findings']");
    await page.waitForFunction(() => document.querySelectorAll("table.findings tr.finding").length === 50);
    times.push(Date.now() - t0);
  }
  const total = await page.textContent("p.pages .range");
  times.sort((a, b) => a - b);
  console.log(`findings page table drawn (${total}): median ${times[2]} ms (min ${times[0]}, max ${times[4]}) over 5 loads`);
}

async function listPage(page) {
  step("the findings page: counts, burndown, the first page");
  await page.click("a.tab[href='#/findings']");
  must((await page.textContent("a.tab[href='#/findings']")) === "漏洞与隐患", "the tab in Chinese");
  const first = await tableFor(page, "");
  must(first.findings.length === 50, "50 a page");
  step("a change by someone else is drawn live (its duty-log entry)");
  const other = first.findings.find((f) => f["keepwatch.finding.status"] === "open" && f["vulnerability.id"].startsWith("CVE-2024-1"));
  must(other, "an open finding on the first page");
  const oid = other["keepwatch.finding.id"];
  must(await post(page, `/api/v1/findings/${oid}/start`, {}) === 200, "started through the API");
  await page.waitForFunction((id) => document.querySelector(`tr[data-id='${id}'] td.status`)?.textContent === "修复中", oid,
    { timeout: 15000 });
  const stats = await api(page, "/api/v1/findings/stats");
  const active = Object.values(stats.by_severity).reduce((n, c) => n + c.open + c.assigned + c.fixing + c.reopened, 0);
  must(Number(await page.textContent("#n-active")) === active && active === first.total, `the active count ${active}`);
  const overdue = Object.values(stats.by_severity).reduce((n, c) => n + c.overdue, 0);
  must(Number(await page.textContent("#n-overdue")) === overdue && overdue > 0, `the overdue count ${overdue}`);
  must((await page.textContent("table.fcounts tr[data-severity=critical] td.n-false_positive")) ===
    String(stats.by_severity.critical.false_positive), "the critical false positives counted");
  await page.waitForSelector("#burndown-chart canvas");
  must(stats.burndown.length === 30 && stats.burndown.some((b) => b.found > 0), "a burndown with findings");
  const risk = await page.locator("table.findings td.risk").evaluateAll((l) => l.map((x) => Number(x.textContent)));
  must(risk.every((r, i) => i === 0 || risk[i - 1] >= r), "riskiest first");
  await shots(page, "f1-findings");

  step("pages and sort");
  await page.click("p.pages a.next");
  await hashHas(page, "offset=50");
  await tableFor(page, "offset=50");
  must((await page.textContent("p.pages .range")).startsWith("第 51–"), "the second page's range");
  await page.selectOption("form.ffilters select[name=sort]", "due");
  await hashHas(page, "sort=due");
  must(!(await page.evaluate(() => location.hash)).includes("offset"), "a new sort starts at the first page");
  await tableFor(page, "sort=due");
  must(await page.locator("table.findings tr.finding").first().locator("td.due.bad").count() === 1, "overdue first by due");
  return first.total;
}

async function filters(page) {
  step("filters: severity, department, overdue; kept in the hash across a reload");
  await page.goto(`${url}/#/findings`);
  await tableFor(page, "");
  await page.selectOption("form.ffilters select[name=severity]", "critical");
  await hashHas(page, "severity=critical");
  await tableFor(page, "severity=critical");
  const sevs = await page.locator("table.findings tr.finding").evaluateAll((l) => l.map((x) => x.dataset.severity));
  must(sevs.length > 0 && sevs.every((c) => c === "critical"), "only critical ones");
  await page.fill("form.ffilters input[name=department]", "运维部");
  await page.click("form.ffilters button[type=submit]");
  await hashHas(page, "department=");
  await tableFor(page, `severity=critical&department=${encodeURIComponent("运维部")}`);
  const depts = await page.locator("table.findings td.department").evaluateAll((l) => l.map((x) => x.textContent));
  must(depts.length > 0 && depts.every((x) => x === "运维部"), `only 运维部: ${depts}`);
  await page.check("form.ffilters input[name=overdue]");
  await hashHas(page, "overdue=1");
  const q = `severity=critical&department=${encodeURIComponent("运维部")}&overdue=1`;
  const od = await tableFor(page, q);
  must(od.total > 0 && await page.locator("table.findings td.due.bad").count() === od.findings.length, "every due shown overdue");
  await page.reload();
  await tableFor(page, q);
  must(await page.inputValue("form.ffilters select[name=severity]") === "critical", "severity kept");
  must(await page.inputValue("form.ffilters input[name=department]") === "运维部", "department kept");
  must(await page.isChecked("form.ffilters input[name=overdue]"), "overdue kept");
  await shots(page, "f2-filtered");
  await page.goto(`${url}/#/findings?not_seen=1`);
  await tableFor(page, "not_seen=1");
  must((await page.textContent("table.findings tr.finding td.vuln")) === "KW-REDIS-NOAUTH", "the not-seen one");
  must((await page.textContent("table.findings span.not-seen")) === "未再发现", "marked not seen");
  await page.goto(`${url}/#/findings?text=openvas`);
  await tableFor(page, "text=openvas"); // text searches the title, id and asset: none says openvas
  must(await page.locator("p.empty").count() === 1, "nothing found is said");
  await page.goto(`${url}/#/findings?scanner=openvas`);
  await tableFor(page, "scanner=openvas");
}

async function hostile(page) {
  step("a finding with markup everywhere stays text");
  const id = process.env.KW_HOSTILE;
  await page.goto(`${url}/#/findings?text=KW-HOSTILE`);
  await tableFor(page, "text=KW-HOSTILE");
  await page.click(`table.findings tr[data-id='${id}'] td.risk`);
  await hashHas(page, `#/findings/${id}`);
  await page.waitForSelector("dl.finding");
  must(await page.textContent("pre.evidence") === process.env.KW_HOSTILE_EVIDENCE, "the evidence, exactly, as text");
  must((await page.textContent("h2 .summary")).includes("<img src=x onerror=window.__xss=1>"), "the title as text");
  must((await page.textContent("p.description")).includes("<i>line two</i>"), "the description as text");
  must((await page.textContent("ol.fhistory li[data-action=found]")).includes("<u>nmap</u> run 7"), "the history's note as text");
  const refs = await page.locator("ul.refs li").evaluateAll((l) => l.map((x) => [x.textContent, x.querySelector("a")?.href || ""]));
  must(refs.length === 3, `three references: ${JSON.stringify(refs)}`);
  must(refs[0][1] === "" && refs[0][0].startsWith("javascript:"), "a javascript: reference is not a link");
  must(refs[1][1] === "https://nvd.nist.gov/vuln/detail/CVE-2024-6387", "the https reference a link");
  must(refs[2][1] === "", "a data: reference is not a link");
  const bad = await page.evaluate(() => [document.querySelectorAll("#page img, #page script, #page b:not([title]), #page u, #page i").length,
    window.__xss]);
  must(bad[0] === 0 && bad[1] === undefined, `no element from the data, nothing ran: ${bad}`);
  await shots(page, "f3-finding");
}

// Opens a move's form, fills its fields, confirms.
async function move(page, m, values) {
  await page.click(`div.moves button.mv-${m}`);
  for (const [k, v] of Object.entries(values)) await page.fill(`form.move-${m} input[name=${k}]`, v);
  await page.click(`form.move-${m} button.confirm`);
}

async function assignAndFix(page) {
  step("assign a finding, then mark it fixed");
  const id = process.env.KW_FIX;
  await page.goto(`${url}/#/findings/${id}`);
  await page.waitForSelector("dl.finding dd.status");
  const buttons = await page.locator("div.moves button.mv").evaluateAll((l) => l.map((x) => x.dataset.move));
  must(JSON.stringify(buttons) === JSON.stringify(["assign", "start", "fix", "accept", "false_positive"]), `open's moves: ${buttons}`);
  const due = new Date(Date.now() + 8 * 3600000 + 10 * 86400000).toISOString().slice(0, 10); // in +08:00
  await move(page, "assign", { owner: "li.na", department: "运维部", due });
  await page.waitForFunction(() => document.querySelector("dd.owner")?.textContent === "li.na");
  must((await page.textContent("dd.status")).startsWith("已指派"), "assigned");
  must((await page.textContent("dd.department")) === "运维部", "the department");
  must((await page.textContent("dd.due")).startsWith(`${due} 00:00:00 +08:00`), `due ${due} in the console's zone`);
  await move(page, "fix", { note: "升级到 1:9.2p1-2+deb12u3" });
  await page.waitForFunction(() => document.querySelector("dd.status")?.textContent.startsWith("已修复"));
  const after = await page.locator("div.moves button.mv").evaluateAll((l) => l.map((x) => x.dataset.move));
  must(JSON.stringify(after) === JSON.stringify(["verify", "reopen", "accept", "false_positive"]), `fixed's moves: ${after}`);
  must(await page.locator("ol.fhistory li").count() === 2, "two history lines");
  must((await page.textContent("ol.fhistory li[data-action=fix]")).includes("升级到 1:9.2p1-2+deb12u3"), "the note");
  const f = await api(page, `/api/v1/findings/${id}`);
  must(f["keepwatch.finding.status"] === "fixed" && f["keepwatch.finding.owner"] === "li.na", "the API says fixed, li.na's");
  await shots(page, "f4-fixed");
  return due;
}

async function refused(page) {
  step("a move the server refuses: its message is shown");
  const id = process.env.KW_REFUSE;
  await page.goto(`${url}/#/findings/${id}`);
  await page.waitForSelector("div.moves button.mv-fix");
  await page.click("div.moves button.mv-fix");
  const st = await post(page, `/api/v1/findings/${id}/false_positive`, { reason: "lab host" }); // someone else closes it
  must(st === 200, `the finding closed behind the page's back: ${st}`);
  await page.fill("form.move-fix input[name=note]", "done");
  await page.click("form.move-fix button.confirm");
  await page.waitForSelector("p.move-error");
  const msg = await page.textContent("p.move-error");
  must(msg.includes("only an open finding can be marked fixed") && msg.startsWith("未执行"), `the API's message: ${msg}`);
  must((await page.textContent("dd.status")).startsWith("误报"), "the page shows what it is now");
  await shots(page, "f5-refused");
}

// A member in an English browser: the page in English, only the moves a member may make.
async function member(browser) {
  step("a member, in English");
  const ctx = await browser.newContext({ locale: "en-US", viewport: { width: 1600, height: 1000 } });
  const p = await ctx.newPage();
  await signIn(p, "wang.fang");
  must((await p.textContent("a.tab[href='#/findings']")) === "Findings", "the tab in English");
  await p.goto(`${url}/#/findings/${process.env.KW_HOSTILE}`);
  await p.waitForSelector("div.moves");
  const moves = await p.locator("div.moves button.mv").evaluateAll((l) => l.map((x) => [x.dataset.move, x.textContent]));
  must(JSON.stringify(moves) === JSON.stringify([["start", "Start fixing"], ["fix", "Mark fixed"]]), `a member's moves: ${JSON.stringify(moves)}`);
  must((await p.textContent("dl.finding dd.status")) === "open", "the status in English");
  await ctx.close();
}

const { browser, page, errors } = await openPage(chromium);
try {
  if (process.env.KW_TIMING) {
    await timing(page);
  } else {
    fs.mkdirSync(art, { recursive: true });
    await signIn(page);
    await listPage(page);
    await filters(page);
    await hostile(page);
    const due = await assignAndFix(page);
    await refused(page);
    await member(browser);
    must(errors.length === 0, `no page errors or dialogs: ${errors.join("; ")}`);
    console.log(JSON.stringify({ ok: true, due }));
  }
} catch (e) {
  if (art) await page.screenshot({ path: path.join(art, "findings-failure.png"), fullPage: true }).catch(() => 0);
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e), page_errors: errors }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
