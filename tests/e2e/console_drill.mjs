// The drills page in headless Chromium (Debian's), driven by playwright-core: the tab; an
// officer runs a scenario from the list's form (POST /api/v1/drills/runs) and lands on its
// page; the run goes running, then is stopped with the page's button; its page: the stages
// measured beside their targets (table and bar chart), responders, weak spots, injections;
// the weak spots made into findings with the button (each then links to its finding); the
// scenario's runs over time (score line, stage times); the page in English; a viewer sees no
// run or stop button. Screenshots at 390x844 and 1600x1000. Run by
// tests/integ/test_console_drill_e2e.py, which ran and scored one run of the scenario first
// (KW_RUN) so there is a history to compare with. With KW_DRILL_FAKE=1 (no drill API in the
// build yet) the browser's requests under /api/v1/drills are answered here, from runs shaped
// as i20-common's drill run JSON, so the pages are checked against the interface alone.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { must, openPage, shots as shotsIn } from "./e2e_page.mjs";

const require = createRequire(path.join(process.env.KW_CONSOLE_DIR, "package.json"));
const { chromium } = require("playwright-core");

const url = process.env.KW_URL;
const art = process.env.KW_ARTIFACTS || "";
const scenario = process.env.KW_SCENARIO;
const first = process.env.KW_RUN;
const step = (s) => console.error(`e2e-drill: ${s}`);
const shots = (page, name) => shotsIn(page, art, name, true);
const text = async (page, sel) => (await page.textContent(sel)) || "";
const api = (page, p) => page.evaluate(async (u) => (await fetch(u)).json(), p);

// ---- the stand-in drill API (KW_DRILL_FAKE=1) ----

const stage = (name, zh, en, target, measured, who) =>
  ({ stage: name, label: { zh, en }, target_s: target, measured_s: measured, ok: measured !== null && (target === null || measured <= target), who });
const fake = {
  scenarios: [{ name: "synth", title: "A synthetic web attack", title_zh: "模拟 Web 攻击" }],
  runs: [{
    id: 1, scenario: "synth", title: "A synthetic web attack", title_zh: "模拟 Web 攻击", state: "done", tabletop: false,
    surprise: false, requested_by: "zhang.wei", requested: "2026-12-01T02:00:00.000Z", started: "2026-12-01T02:00:01.000Z",
    ended: "2026-12-01T02:20:00.000Z", score: 62,
    stages: [stage("detected", "发现", "detected", 60, 12, null), stage("notified", "通知", "notified", 120, 40, null),
             stage("acked", "确认", "acknowledged", 300, null, null), stage("told:cs", "告知客服部", "customer service told", 600, null, null)],
    responders: [{ name: "zhang.wei", department: "sec", acted: true }, { name: "wang.qiang", department: "ops", acted: false }],
    weak: [{ text: "nobody acknowledged, target 5 min", text_zh: "无人确认，目标 5 分钟", finding: null },
           { text: "customer service was never told: no route for department kind customer_service", text_zh: "客服部未被告知：没有客服类部门的通知路由", finding: null }],
    incident: null, alerts: [7], injections: [{ kind: "alert", at_s: 1, state: "done", error: null }],
  }],
};

async function fakeApi(ctx) {
  const json = (route, body, status = 200) => route.fulfill({ status, contentType: "application/json", body: JSON.stringify(body) });
  await ctx.route("**/api/v1/drills/**", async (route) => {
    const req = route.request(), u = new URL(req.url()), p = u.pathname, m = req.method();
    if (p === "/api/v1/drills/scenarios") return json(route, { scenarios: fake.scenarios });
    if (p === "/api/v1/drills/runs" && m === "GET") {
      const sc = u.searchParams.get("scenario");
      return json(route, { runs: [...fake.runs].reverse().filter((r) => !sc || r.scenario === sc) });
    }
    if (p === "/api/v1/drills/runs" && m === "POST") {
      const body = JSON.parse(req.postData() || "{}");
      const r = { ...structuredClone(fake.runs[0]), id: fake.runs.length + 1, scenario: body.scenario, state: "running",
                  score: null, ended: null, started: new Date().toISOString(), weak: [],
                  stages: fake.runs[0].stages.map((x) => ({ ...x, measured_s: null, ok: false })) };
      fake.runs.push(r);
      return json(route, r, 201);
    }
    const one = p.match(/^\/api\/v1\/drills\/runs\/(\d+)(\/(stop|findings|marks))?$/);
    const r = one && fake.runs.find((x) => x.id === Number(one[1]));
    if (!r) return json(route, { error: "no such run" }, 404);
    if (!one[3]) return json(route, r);
    if (one[3] === "stop") { r.state = "stopped"; r.ended = new Date().toISOString(); return json(route, r); }
    if (one[3] === "findings") { r.weak.forEach((w, i) => { w.finding = w.finding ?? 100 + i; }); return json(route, r); }
    return json(route, r);
  });
}

async function signIn(page, user = "zhang.wei") {
  await page.goto(url + "/");
  await page.fill("input[name=name]", user);
  await page.fill("input[name=password]", process.env.KW_PASS);
  await page.click("button[type=submit]");
  await page.waitForSelector("a.tab[href='#/drills']");
}

async function list(page) {
  step("the list: the scored run, its score");
  must((await text(page, "a.tab[href='#/drills']")) === "应急演练", "the tab in Chinese");
  await page.click("a.tab[href='#/drills']");
  const row = `table.drill-runs tr.drill-run[data-id='${first}']`;
  await page.waitForSelector(row);
  must(/^\d+$/.test((await text(page, `${row} td.score-cell`)).trim()), "the first run's score");
  await shots(page, "d1-drills");
}

async function runAndStop(page) {
  step("run the scenario from the page, then stop it");
  await page.selectOption("form.dform.start select[name=scenario]", scenario);
  await page.click("form.dform.start button.run");
  await page.waitForFunction(() => /^#\/drills\/\d+$/.test(location.hash));
  const id = Number((await page.evaluate(() => location.hash)).slice(9));
  must(id !== Number(first), "a new run");
  await page.waitForFunction(async (u) => ["running"].includes((await (await fetch(u)).json()).state), `/api/v1/drills/runs/${id}`,
    { timeout: 30000, polling: 500 });
  await page.reload();
  await page.waitForSelector("button.stop");
  await page.click("button.stop");
  await page.waitForFunction(async (u) => ["stopped", "done"].includes((await (await fetch(u)).json()).state),
    `/api/v1/drills/runs/${id}`, { timeout: 30000, polling: 500 });
  return id;
}

async function runPage(page, id) {
  step("a run's page: stages beside targets, chart, responders, weak spots, injections");
  await page.goto(`${url}/#/drills/${first}`);
  await page.waitForSelector("table.drill-stages");
  const run = await api(page, `/api/v1/drills/runs/${first}`);
  must(await page.locator("table.drill-stages tr.stage").count() === run.stages.length, "a row per stage");
  const s0 = run.stages[0];
  must(await page.locator(`table.drill-stages tr[data-stage='${s0.stage}'] td.stage-name`).textContent() === s0.label.zh,
    "the stage's Chinese label");
  must(await page.locator("div.drill-chart canvas").count() >= 1, "the bar chart drawn");
  must(await page.locator("div.drill-weak li").count() === run.weak.length, "a line per weak spot");
  if (run.injections.length) must(await page.locator("table.drill-injections tr.inj").count() === run.injections.length, "the injections");
  await shots(page, "d2-run");
  if (run.weak.some((w) => w.finding === null)) {
    step("the weak spots made into findings");
    await page.click("button.make-findings");
    await page.waitForSelector("div.drill-weak a.finding");
    const again = await api(page, `/api/v1/drills/runs/${first}`);
    must(again.weak.every((w) => w.finding !== null), "every weak spot has its finding");
    must(await page.locator("div.drill-weak a.finding").count() === again.weak.length, "each links to its finding");
  }
  await page.goto(`${url}/#/drills/${id}`);
  await page.waitForSelector("dl.drill dd.state");
  must(await page.locator("button.stop").count() === 0, "a stopped run has no stop button");
}

async function trend(page) {
  step("the scenario over time");
  await page.goto(`${url}/#/drills/scenario/${encodeURIComponent(scenario)}`);
  await page.waitForSelector("div.drill-score canvas");
  must(await page.locator("div.drill-stage-times canvas").count() >= 1, "the stage times chart");
  must(await page.locator("table.drill-runs tr.drill-run").count() >= 2, "both runs listed");
  await shots(page, "d3-trend");
}

async function english(page) {
  step("in English");
  await page.click("a.lang");
  await page.waitForFunction(() => document.querySelector("a.tab[href='#/drills']")?.textContent === "Drills");
  await page.goto(`${url}/#/drills/${first}`);
  await page.waitForSelector("table.drill-stages");
  must((await text(page, "table.drill-stages th")) === "Stage", "the table in English");
  await shots(page, "d4-english");
}

async function viewer(browser) {
  step("a viewer: no run, no stop");
  const ctx = await browser.newContext({ locale: "zh-CN" });
  if (process.env.KW_DRILL_FAKE === "1") await fakeApi(ctx);
  const p = await ctx.newPage();
  await signIn(p, "li.na");
  await p.goto(`${url}/#/drills`);
  await p.waitForSelector("table.drill-runs");
  must(await p.locator("form.dform.start").count() === 0, "no run form");
  await ctx.close();
}

const { browser, page, errors } = await openPage(chromium);
try {
  fs.mkdirSync(art, { recursive: true });
  if (process.env.KW_DRILL_FAKE === "1") await fakeApi(page.context());
  await signIn(page);
  await list(page);
  const id = await runAndStop(page);
  await runPage(page, id);
  await trend(page);
  await english(page);
  await viewer(browser);
  must(errors.length === 0, `no page errors or dialogs: ${errors.join("; ")}`);
  console.log(JSON.stringify({ ok: true, run: id }));
} catch (e) {
  if (art) await page.screenshot({ path: path.join(art, "drill-failure.png"), fullPage: true }).catch(() => 0);
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e), page_errors: errors }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
