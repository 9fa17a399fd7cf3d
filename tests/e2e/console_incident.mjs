// The incidents page in headless Chromium (Debian's), driven by playwright-core: the list
// (open ones first, grade, steps finished, the next step's clock), an incident's page
// opened from it and kept in the URL hash across a reload; the checklist by phase with
// owners, the fallback note, due times and clocks that run; ticking a step (its state done,
// step_done in the timeline); a step whose needs are pending refused with the API's message
// shown; skipping asks for a reason; a note; the close with its review (then no buttons);
// the report links; declaring a drill from the list's form opens it; the page in English; a
// member's moves.
// Screenshots at 390x844 and 1600x1000. Run by tests/integ/test_console_incident_e2e.py,
// which declares the first incident through the API.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { must, openPage, shots as shotsIn } from "./e2e_page.mjs";

const require = createRequire(path.join(process.env.KW_CONSOLE_DIR, "package.json"));
const { chromium } = require("playwright-core");

const url = process.env.KW_URL;
const art = process.env.KW_ARTIFACTS || "";
const id = process.env.KW_INCIDENT;
const step = (s) => console.error(`e2e-incident: ${s}`);
const shots = (page, name) => shotsIn(page, art, name, true);
const api = (page, p) => page.evaluate(async (u) => (await fetch(u)).json(), p);
const text = async (page, sel) => (await page.textContent(sel)) || "";
const stepSel = (name) => `li.step[data-step='${name}']`;

async function signIn(page, user = "zhang.wei") {
  await page.goto(url + "/");
  await page.fill("input[name=name]", user);
  await page.fill("input[name=password]", process.env.KW_PASS);
  await page.click("button[type=submit]");
  await page.waitForSelector("a.tab[href='#/incidents']");
}

async function list(page) {
  step("the list: the open incident, its grade, steps and next clock");
  await page.click("a.tab[href='#/incidents']");
  must((await text(page, "a.tab[href='#/incidents']")) === "事件处置", "the tab in Chinese");
  const row = `table.incidents.open tr.incident[data-id='${id}']`;
  await page.waitForSelector(row);
  must((await text(page, `${row} td.grade`)) === "Ⅱ 重大", "grade II with its Chinese label");
  must((await text(page, `${row} td.playbook`)) === "leak", "the playbook");
  must((await text(page, `${row} td.progress`)) === "0/6", `steps finished/total: ${await text(page, `${row} td.progress`)}`);
  const next = await text(page, `${row} td.next`);
  must(next.includes("固定证据") && /已超时 \d+:\d\d:\d\d/.test(next), `the next due step and how late: ${next}`);
  must(await page.locator(`${row} td.next span.clock.late`).count() === 1, "late in red");
  must(await page.locator("section.isection.closed tr.incident").count() === 1, "the closed one below");
  must((await text(page, "section.isection.closed td.title")) === process.env.KW_HOSTILE, "a title with markup stays text");
  must(await page.evaluate(() => window.__xss === undefined), "no script ran");
  await shots(page, "i1-incidents");
  await page.click(`${row} td.title`);
  await page.waitForFunction((x) => location.hash === `#/incidents/${x}`, id);
}

async function checklist(page) {
  step("the checklist by phase: owners, fallback, due times, clocks that run");
  await page.waitForSelector(stepSel("confirm"));
  const phases = await page.locator("section.phase h4").evaluateAll((l) => l.map((x) => x.firstChild.textContent));
  must(JSON.stringify(phases) === JSON.stringify(["确认研判", "遏制", "报告与总结"]), `the phases: ${phases}`);
  must((await text(page, `${stepSel("confirm")} .owner`)).includes("wang.fang"), "the duty officer owns confirm");
  must((await text(page, `${stepSel("contain")} .owner`)).includes("wang.qiang"), "operations' head owns contain");
  const fb = await text(page, `${stepSel("tell_users")} .fallback`);
  must(fb.includes("兜底指派") && fb.includes("nobody in department cs"), `the fallback note: ${fb}`);
  must((await text(page, `${stepSel("confirm")} .do`)) === "查看外发流量与数据库审计日志", "the instructions in Chinese");
  const c1 = await text(page, `${stepSel("confirm")} span.clock`);
  await page.waitForTimeout(1500);
  const c2 = await text(page, `${stepSel("confirm")} span.clock`);
  must(/^剩余 0:\d\d:\d\d$/.test(c1) && c1 !== c2, `the clock runs: ${c1} then ${c2}`);
  const late = await text(page, `${stepSel("preserve")} span.clock.late`);
  must(/^已超时 \d+:\d\d:\d\d$/.test(late) && await page.locator(`${stepSel("preserve")}.late`).count() === 1, `overdue: ${late}`);
  must((await text(page, "dl.incident dd.grade")) === "Ⅱ 重大" && (await text(page, "dl.incident dd.type")).startsWith("DS 数据安全事件"),
    "the facts: grade and type");
  must((await text(page, "dl.incident dd.systems")) === "crm-db", "the systems");
  must((await text(page, `${stepSel("regulator")} .needs`)).includes("confirm"), "what regulator needs is shown");
  await shots(page, "i2-incident");
}

async function refusedNeeds(page) {
  step("a step whose needs are pending cannot be ticked: the API's message shown");
  await page.click(`${stepSel("regulator")} button.mv-done`);
  await page.click(`${stepSel("regulator")} form.step-form button.confirm`);
  await page.waitForSelector(`${stepSel("regulator")} p.step-error`);
  const msg = await text(page, `${stepSel("regulator")} p.step-error`);
  must(msg.startsWith("未执行") && msg.includes("needs confirm first"), `the refusal: ${msg}`);
  must((await page.getAttribute(stepSel("regulator"), "data-state")) === "pending", "still pending");
  await shots(page, "i3-refused");
  await page.click(`${stepSel("regulator")} form.step-form button.cancel`);
}

async function tick(page) {
  step("tick confirm with a note: done, step_done in the timeline");
  await page.click(`${stepSel("confirm")} button.mv-done`);
  await page.fill(`${stepSel("confirm")} form.step-form input[name=note]`, "确认 3 万条客户记录外发");
  await page.click(`${stepSel("confirm")} form.step-form button.confirm`);
  await page.waitForSelector(`${stepSel("confirm")}[data-state=done]`);
  must((await text(page, `${stepSel("confirm")} .step-state`)) === "已完成", "done, in Chinese");
  must(await page.locator(`${stepSel("confirm")} button.mv`).count() === 0, "no buttons on a finished step");
  must(await page.locator(`${stepSel("confirm")} span.clock`).count() === 0, "no clock on a finished step");
  must((await text(page, `${stepSel("confirm")} .step-note`)).includes("确认 3 万条客户记录外发"), "its note");
  const ev = await text(page, "ol.itimeline li[data-kind=step_done]");
  must(ev.includes("步骤完成") && ev.includes("zhang.wei") && ev.includes("[confirm]") &&
    ev.includes("步骤 confirm 已完成：确认 3 万条客户记录外发"), `the timeline, in Chinese: ${ev}`);
  must((await text(page, "p.ibar")).startsWith("步骤完成 1/6"), "the progress");
  const d = await api(page, `/api/v1/incidents/${id}`);
  must(d.steps.find((s) => s.name === "confirm").state === "done", "the API agrees");

  step("skip asks for a reason; skipped with one");
  await page.click(`${stepSel("tell_users")} button.mv-skip`);
  await page.click(`${stepSel("tell_users")} form.step-form button.confirm`);
  must(await page.locator(`${stepSel("tell_users")}[data-state=pending]`).count() === 1, "no reason: not sent");
  await page.fill(`${stepSel("tell_users")} form.step-form input[name=reason]`, "用户尚未受影响");
  await page.click(`${stepSel("tell_users")} form.step-form button.confirm`);
  await page.waitForSelector(`${stepSel("tell_users")}[data-state=skipped]`);
  await page.waitForSelector("ol.itimeline li[data-kind=step_skipped]");

  step("assign a step, change the grade; a refused attach shows why");
  await page.click(`${stepSel("summary")} button.mv-assign`);
  await page.fill(`${stepSel("summary")} form.step-form input[name=target]`, "person:li.na");
  await page.click(`${stepSel("summary")} form.step-form button.confirm`);
  await page.waitForFunction((s) => document.querySelector(`${s} .owner`)?.textContent.includes("li.na"), stepSel("summary"));
  await page.waitForSelector("ol.itimeline li[data-kind=assigned]");
  await page.selectOption("form.grade-form select[name=grade]", "I");
  await page.fill("form.grade-form input[name=reason]", "涉及个人信息超过 10 万条");
  await page.click("form.grade-form button[type=submit]");
  await page.waitForFunction(() => document.querySelector("dl.incident dd.grade")?.textContent === "Ⅰ 特别重大");
  await page.waitForSelector("ol.itimeline li[data-kind=graded]");
  await page.fill("form.attach-form input[name=alert]", "99999");
  await page.click("form.attach-form button[type=submit]");
  await page.waitForSelector("form.attach-form p.form-error");
  const why = await text(page, "form.attach-form p.form-error");
  must(why.startsWith("未执行") && why.length > 6, `the attach refused: ${why}`);

  step("a change made elsewhere is drawn live");
  must(await page.evaluate(async (x) => {
    const s = await (await fetch("/api/v1/session")).json();
    const r = await fetch(`/api/v1/incidents/${x}/notes`, { method: "POST", body: JSON.stringify({ text: "另一个值守台的记录" }),
      headers: { "Content-Type": "application/json", "X-CSRF-Token": s.csrf } });
    return r.status;
  }, id) === 200, "a note through the API");
  await page.waitForFunction(() => [...document.querySelectorAll("ol.itimeline li[data-kind=note]")]
    .some((x) => x.textContent.includes("另一个值守台的记录")), null, { timeout: 15000 });

  step("a note into the timeline");
  await page.fill("form.addnote-form textarea[name=text]", "已通知法务");
  await page.click("form.addnote-form button[type=submit]");
  await page.waitForFunction(() => [...document.querySelectorAll("ol.itimeline li[data-kind=note]")]
    .some((x) => x.textContent.includes("已通知法务")));
}

async function close(page) {
  step("reports linked; the close asks for the review");
  const html = page.locator("table.reports tr[data-for=regulator] a.report-html");
  must((await html.getAttribute("href")) === `/api/v1/incidents/${id}/report?for=regulator&format=html`, "the regulator report");
  must((await html.getAttribute("target")) === "_blank", "the HTML report in a new tab");
  must(await page.locator("table.reports a").count() === 18, "six audiences, three formats");
  await page.click("button.close-open");
  await page.fill("form.close-form textarea[name=cause]", "接口未鉴权");
  await page.fill("form.close-form textarea[name=impact]", "3 万条客户记录外泄");
  await page.fill("form.close-form textarea[name=lessons]", "上线前做接口鉴权检查");
  await page.fill("form.close-form textarea[name=proposal]", "confirm 的时限改为 10 分钟");
  await page.click("form.close-form button[type=submit]");
  await page.waitForSelector("h2.ihead .istate.is-closed");
  must(await page.locator("button.mv").count() === 0, "no step buttons once closed");
  must(await page.locator("form.addnote-form, form.close-form").count() === 0, "no forms once closed");
  must((await text(page, "dl.incident dd.lessons")) === "上线前做接口鉴权检查", "the lessons in the facts");
  must((await text(page, `${stepSel("contain")} .step-note`)) === "跳过原因: 随事件关闭", "the steps the close skipped");
  await page.waitForSelector("ol.itimeline li[data-kind=closed]");
  await page.reload();
  await page.waitForSelector("h2.ihead .istate.is-closed");
  must((await page.evaluate(() => location.hash)) === `#/incidents/${id}`, "the hash keeps the incident");
  await shots(page, "i4-closed");
}

async function declare(page) {
  step("declare a drill from the list: its page opens");
  await page.goto(`${url}/#/incidents`);
  await page.click("div.itools button.declare");
  await page.selectOption("form.declare select[name=playbook]", "leak");
  must((await page.inputValue("form.declare select[name=grade]")) === "III", "the playbook's grade by default");
  await page.selectOption("form.declare select[name=grade]", "IV");
  await page.fill("form.declare input[name=title]", "演练：测试库外泄");
  await page.check("form.declare input[name=drill]");
  await shots(page, "i6-declare");
  await page.click("form.declare button.confirm");
  await page.waitForFunction((x) => /^#\/incidents\/\d+$/.test(location.hash) && location.hash !== `#/incidents/${x}`, id);
  await page.waitForSelector("h2.ihead .drill");
  must((await text(page, "h2.ihead")).includes("【演练】") && (await text(page, "h2.ihead .grade")) === "Ⅳ 一般",
    "the drill mark and grade");
  await page.goto(`${url}/#/incidents?drill=1`);
  await page.waitForSelector("table.incidents.open tr.incident.drill");
  must(await page.locator(`tr.incident[data-id='${id}']`).count() === 0, "the drill filter");
  return Number((await page.getAttribute("table.incidents.open tr.incident.drill", "data-id")));
}

async function english(page) {
  step("in English");
  await page.goto(`${url}/#/incidents/${id}`);
  await page.waitForSelector("h2.ihead");
  await page.click("a.lang");
  await page.waitForFunction(() => document.querySelector("a.tab[href='#/incidents']")?.textContent === "Incidents");
  const phases = await page.locator("section.phase h4").evaluateAll((l) => l.map((x) => x.firstChild.textContent));
  must(phases[0] === "Confirm and assess", `phases in English: ${phases}`);
  must((await text(page, `${stepSel("confirm")} .step-title`)) === "Confirm the leak", "the step's English title");
  must((await text(page, "dl.incident dd.grade")) === "Ⅰ particularly serious", "the grade in English");
  const ev = await text(page, "ol.itimeline li[data-kind=step_done]");
  must(ev.includes("step done") && ev.includes("step confirm done: 确认 3 万条客户记录外发"), `the timeline in English: ${ev}`);
  await shots(page, "i5-english");
  await page.click("a.lang");
}

// A member: ticks and skips steps and writes notes; assigning, grading and closing are not theirs.
async function member(browser, drill) {
  step("a member's moves");
  const ctx = await browser.newContext({ locale: "zh-CN", viewport: { width: 1600, height: 1000 } });
  const p = await ctx.newPage();
  await signIn(p, "wang.fang");
  await p.goto(`${url}/#/incidents/${drill}`);
  await p.waitForSelector(stepSel("confirm"));
  const moves = await p.locator(`${stepSel("confirm")} button.mv`).evaluateAll((l) => l.map((x) => x.dataset.move));
  must(JSON.stringify(moves) === JSON.stringify(["done", "skip"]), `a member's step moves: ${moves}`);
  must((await p.getAttribute(stepSel("regulator"), "data-state")) === "na" &&
    (await p.locator(`${stepSel("regulator")} button`).count()) === 0, "no buttons on a step that does not apply");
  must((await text(p, `${stepSel("regulator")} .step-state`)) === "本级别不适用", "n/a in Chinese");
  must(await p.locator("form.addnote-form").count() === 1, "a member writes notes");
  must(await p.locator("form.grade-form, button.close-open, form.attach-form").count() === 0, "no grade, close or attach");
  await p.goto(`${url}/#/incidents`);
  await p.waitForSelector("table.incidents");
  must(await p.locator("button.declare").count() === 0, "a member does not declare");
  await ctx.close();
}

const { browser, page, errors } = await openPage(chromium);
try {
  fs.mkdirSync(art, { recursive: true });
  await signIn(page);
  await list(page);
  await checklist(page);
  await refusedNeeds(page);
  await tick(page);
  await close(page);
  const drill = await declare(page);
  await english(page);
  await member(browser, drill);
  must(errors.length === 0, `no page errors or dialogs: ${errors.join("; ")}`);
  console.log(JSON.stringify({ ok: true, drill }));
} catch (e) {
  if (art) await page.screenshot({ path: path.join(art, "incident-failure.png"), fullPage: true }).catch(() => 0);
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e), page_errors: errors }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
