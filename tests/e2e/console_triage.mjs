// Triage in headless Chromium (Debian's), driven by playwright-core: the wall's triage list
// above the charts, the alerts page with 2,000 alerts of one rule and host as one group of
// 2,000, expanded, acknowledged at once; a group silenced from the console, listed, then
// expired; an alert's evidence and notifications; times in console.timezone with the zone
// written; Chinese throughout; no emoji; a favicon; every page at 390x844 without horizontal
// overflow or one-character columns, with screenshots at 390x844 and 1600x1000.
// Run by tests/integ/test_console_triage_e2e.py, which starts keepwatch and fires the alerts.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { DESKTOP, PHONE, must, phoneFits, openPage, shots as shotsIn } from "./e2e_page.mjs";

const require = createRequire(path.join(process.env.KW_CONSOLE_DIR, "package.json"));
const { chromium } = require("playwright-core");

const url = process.env.KW_URL;
const art = process.env.KW_ARTIFACTS;
fs.mkdirSync(art, { recursive: true });
const step = (s) => console.error(`e2e-triage: ${s}`);
const shots = (page, name) => shotsIn(page, art, name);

const { browser, page, errors } = await openPage(chromium);
try {
  step("sign in; the wall puts triage first");
  await page.setViewportSize(PHONE);
  await page.goto(url + "/");
  await page.waitForSelector("input[name=password]");
  await phoneFits(page, "the sign-in page");
  await page.screenshot({ path: path.join(art, "0-sign-in-390x844.png"), fullPage: true });
  await page.setViewportSize(DESKTOP);
  await page.fill("input[name=name]", "zhang.wei");
  await page.fill("input[name=password]", process.env.KW_PASS);
  await page.click("button[type=submit]");
  await page.waitForSelector("#triage ol.triage li");
  const first = page.locator("#triage ol.triage li").first();
  must(await first.getAttribute("data-rule") === "flood", "the critical flood first in the triage list");
  must(await first.getAttribute("data-count") === "2000", "its count: 2000 unacknowledged");
  must((await first.textContent()).includes("×2000"), "the count written");
  const rules = await page.locator("#triage ol.triage li").evaluateAll((l) => l.map((x) => x.dataset.rule));
  must(JSON.stringify(rules) === JSON.stringify(["flood", "probe"]), `critical then high, no low: ${rules}`);
  await page.waitForSelector("#sev-chart canvas");
  const triY = (await page.locator("#triage").boundingBox()).y, chartY = (await page.locator("#sev-chart").boundingBox()).y;
  must(triY < chartY, "the triage list above the charts");
  step("time zone: Asia/Shanghai, written, whatever the browser's zone");
  const zone = await page.textContent("#zone");
  must(zone.includes("+08:00") && zone.includes("CST"), `the zone in the bar: ${zone}`);
  const shown = await first.locator("time").textContent();
  must(/ \+08:00$/.test(shown), `a time with its zone: ${shown}`);
  const started = await page.evaluate(async () => (await (await fetch("/api/v1/alert-groups?state=firing&severity=high")).json()).groups[0].last);
  const want = new Date(Date.parse(started) + 8 * 3600000).toISOString().slice(0, 19).replace("T", " ");
  must(shown.startsWith(want), `the time in +08:00: ${shown} for ${started}`);
  step("favicon, no emoji, Chinese labels");
  const icon = await page.getAttribute("link[rel=icon]", "href");
  const ir = await page.evaluate(async (u) => { const r = await fetch(u); return [r.status, r.headers.get("content-type")]; }, icon);
  must(ir[0] === 200 && ir[1].startsWith("image/svg+xml"), `the favicon is served: ${ir}`);
  await shots(page, "1-overview");

  step("the alerts page: one group of 2000, by severity");
  await page.click("a.tab[href='#/alerts']");
  await page.waitForSelector("table.groups tr.group");
  const groups = await page.locator("table.groups tr.group").evaluateAll((l) => l.map((x) => [x.dataset.rule, x.dataset.count]));
  must(JSON.stringify(groups) === JSON.stringify([["flood", "2000"], ["probe", "2"], ["note", "1"]]),
    `groups by severity: ${JSON.stringify(groups)}`);
  const flood = page.locator("table.groups tr.group[data-rule='flood']");
  must((await flood.locator("td.where").textContent()) === "web", "the group's host");
  await flood.locator("button.expand").click();
  await page.waitForSelector("ol.members li");
  must(await page.locator("ol.members li").count() === 50, "the first 50 alerts of the group");
  must((await page.textContent("p.more")).includes("1950"), "and how many more");
  for (const label of ["全部确认", "全部由我处理", "静默", "收起"])
    must(await page.locator(`table.groups button:text-is('${label}')`).count() > 0, `a button "${label}"`);
  await shots(page, "2-alert-groups");

  step("acknowledge the whole group");
  await flood.locator("button.ack-group").click();
  await page.waitForFunction(() => {
    const r = document.querySelector("table.groups tr.group[data-rule='flood']");
    return r && !r.querySelector("button.ack-group") && r.textContent.includes("2000");
  }, null, { timeout: 30000 });
  const st = await page.evaluate(async () => (await (await fetch("/api/v1/alert-groups?state=firing")).json()).groups.map((g) => g.rule));
  must(!st.includes("flood"), `no flood alert left firing: ${st}`);

  step("silence the probe group from the console");
  const probe = page.locator("table.groups tr.group[data-rule='probe']");
  await probe.locator("button.silence-open").click();
  await page.fill("form.silence input.reason", "演练：已知扫描");
  await page.selectOption("form.silence select", "60");
  await page.click("form.silence button.silence");
  await page.waitForSelector("table.silences tr.active");
  const sil = await page.textContent("table.silences tr.active");
  must(sil.includes("rule=probe") && sil.includes("演练：已知扫描") && sil.includes("zhang.wei") && sil.includes("生效中"),
    `the silence listed: ${sil}`);
  await shots(page, "3-silences");
  await page.click("table.silences tr.active button.expire");
  await page.waitForSelector("p.empty");
  await page.click("a.all");
  await page.waitForSelector("table.silences tr.expired");
  must((await page.textContent("table.silences tr.expired")).includes("已结束"), "the silence ended");

  step("an alert's evidence and notifications");
  const pid = await page.evaluate(async () =>
    (await (await fetch("/api/v1/alert-groups")).json()).groups.find((g) => g.rule === "probe").newest);
  await page.goto(`${url}/#/alerts/${pid}`);
  await page.waitForSelector("div.evidence table.kv tr.sample");
  must((await page.textContent("div.evidence tr.sample")).includes("probe two"), "the sample line");
  must((await page.textContent("div.evidence")).includes("host.hostname"), "the parsed fields");
  must((await page.textContent("div.evidence tr.threshold")).includes("1"), "the threshold");
  await page.waitForSelector("table.sent tr[data-channel='hook']", { timeout: 20000 }).catch(async () => {
    await page.reload();
    await page.waitForSelector("table.sent tr[data-channel='hook']", { timeout: 20000 });
  });
  const sent = await page.textContent("table.sent tr[data-channel='hook']");
  must(sent.includes("已发送") && sent.includes("王芳") && sent.includes("+08:00"), `the webhook notification: ${sent}`);
  must((await page.textContent("p.escalation")).includes("策略 p"), "the escalation reached");
  await shots(page, "4-alert-evidence");

  step("the duty log in Chinese, the calendar and hosts at phone width");
  await page.click("a.tab[href='#/duty']");
  await page.locator("ol.duty li[data-kind='silence.expired']").first().waitFor();
  must((await page.textContent("ol.duty li[data-kind='silence.expired']")).includes("已结束"), "a silence's entry in Chinese");
  must((await page.textContent("ol.duty li[data-kind='silence.added']")).includes("静默 #"), "the silence added, in Chinese");
  await shots(page, "5-duty");
  await page.click("a.tab[href='#/hosts']");
  await page.waitForSelector("#cpu-chart");
  await shots(page, "6-hosts");
  await page.click("a.tab[href='#/alerts']");
  await page.click("p.views a:nth-child(3)");
  await page.waitForSelector("table.alerts tbody tr");
  await shots(page, "7-alert-list");

  const emoji = await page.evaluate(() => {
    const text = [...document.querySelectorAll("body *")].map((e) => e.childNodes).flatMap((n) => [...n])
      .filter((n) => n.nodeType === 3).map((n) => n.textContent).join(" ");
    return (text.match(/\p{Extended_Pictographic}/gu) || []).join("");
  });
  must(emoji === "", `no emoji in the page: ${emoji}`);
  must(errors.length === 0, `no page errors or dialogs: ${errors.join("; ")}`);
  console.log(JSON.stringify({ ok: true }));
} catch (e) {
  await page.screenshot({ path: path.join(art, "triage-failure.png"), fullPage: true }).catch(() => 0);
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e), page_errors: errors }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
