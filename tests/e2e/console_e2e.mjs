// End to end in headless Chromium (Debian's), driven by playwright-core (npm): sign in, see a
// firing alert appear live (server-sent events, no polling), acknowledge it, take it, comment
// on it, find it all in the duty log, hand over; the calendar and the hosts page; hostile
// text renders inert; a change without the CSRF token is refused; signing out closes
// everything.
// Run by tests/integ/test_console_e2e.py, which starts keepwatch and makes the alert fire.
// Talks to it over stdin/stdout: prints "READY" when the wall is up, waits for "FIRED".
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";

const require = createRequire(path.join(process.env.KW_CONSOLE_DIR, "package.json"));
const { chromium } = require("playwright-core");

const url = process.env.KW_URL;
const art = process.env.KW_ARTIFACTS;
fs.mkdirSync(art, { recursive: true });
const lines = readline.createInterface({ input: process.stdin });
const waitLine = (want) => new Promise((ok) => lines.on("line", (l) => l.trim() === want && ok()));
const step = (s) => console.error(`e2e: ${s}`);
function must(cond, what) {
  if (!cond) throw new Error(`expected: ${what}`);
}

const browser = await chromium.launch({ executablePath: process.env.KW_CHROMIUM, args: ["--no-sandbox"] });
const ctx = await browser.newContext({ locale: "zh-CN", viewport: { width: 1400, height: 900 } });
const page = await ctx.newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
page.on("dialog", (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
try {
  step("the sign-in page, and a wrong password");
  await page.goto(url + "/");
  await page.fill("input[name=name]", "zhang.wei");
  await page.fill("input[name=password]", "not the password");
  await page.click("button[type=submit]");
  await page.waitForSelector("p.msg:text('用户名或密码错误')");
  await page.fill("input[name=password]", process.env.KW_PASS);
  await page.click("button[type=submit]");
  await page.waitForSelector("#n-firing");
  await page.screenshot({ path: path.join(art, "1-overview.png"), fullPage: true });
  const before = Number(await page.textContent("#n-firing"));
  // hostile asset text is shown as text, and runs nothing
  const assets = await page.textContent("ul.assets");
  must(assets.includes("<script>window.__xss=3</script>"), "the asset's business shown literally");
  await page.evaluate(() => { window.__sameLoad = true; });
  await page.waitForSelector("#live.up");
  await page.waitForTimeout(1500); // the sign-in's own duty-log entry may still be on its way
  // from now on the wall may only learn of the alert from the stream: count the API calls
  let polls = 0;
  page.on("request", (r) => { if (r.url().includes("/api/v1/overview")) polls++; });
  await page.waitForTimeout(4000);
  must(polls === 0, `the wall does not poll (${polls} overview requests while nothing changed)`);

  step("a firing alert appears live");
  console.log("READY");
  await waitLine("FIRED");
  await page.waitForFunction((n) => Number(document.querySelector("#n-firing")?.textContent) > n, before,
                             { timeout: 20000 });
  must(await page.evaluate(() => window.__sameLoad === true), "no reload: the wall updated itself");
  await page.screenshot({ path: path.join(art, "2-alert-live.png"), fullPage: true });

  step("acknowledge it from the alerts page");
  await page.click("a.tab[href='#/alerts']");
  await page.waitForSelector("table.groups tr.group[data-rule='service_down']"); // grouped first
  await page.click("p.views a:nth-child(3)"); // then each alert
  await page.waitForSelector("table.alerts tbody tr");
  const row = page.locator("table.alerts tr", { hasText: "service_down" }).first();
  await row.waitFor();
  const id = await row.getAttribute("data-id");
  // the probe alert's summary carries markup: inert
  const probe = page.locator("td.summary", { hasText: "<img src=x onerror=window.__xss=1>" });
  await probe.first().waitFor();
  must(await page.locator("td.summary img").count() === 0, "no <img> element made from an alert's text");
  await row.locator("button.ack").click();
  await page.waitForSelector(`tr[data-id='${id}'].acked, tr[data-id='${id}']:not(:has(button.ack))`);
  // 202 open alerts: a page of 200, then the older ones
  must(await page.locator("table.alerts tbody tr").count() === 200, "a page of 200 alerts");
  await page.click("p.pages a.older");
  await page.waitForSelector("p.pages a.newest");
  must(await page.locator("table.alerts tbody tr").count() === 2, "the two older alerts on the next page");
  must((await page.textContent("table.alerts")).includes("probe number 0"), "the oldest alert on the last page");
  await page.click("p.pages a.newest");
  await page.locator(`tr[data-id='${id}']`).waitFor();

  step("take it and comment, with markup in the comment");
  await page.click(`tr[data-id='${id}'] a[href='#/alerts/${id}']`);
  await page.click("button.take");
  await page.waitForSelector("dd.assignee:text('zhang.wei')");
  await page.fill("textarea.comment", "已通知 DBA <img src=x onerror=window.__xss=2>");
  await page.click("form.addcomment button");
  await page.waitForSelector("ol.timeline li[data-action='commented']");
  must(await page.locator("ol.timeline img").count() === 0, "no <img> element made from a comment");
  must((await page.textContent("ol.timeline")).includes("<img src=x onerror=window.__xss=2>"), "the comment shown literally");
  await page.screenshot({ path: path.join(art, "3-acknowledged.png"), fullPage: true });

  step("the duty log has it, by the user signed in");
  await page.click("a.tab[href='#/duty']");
  const entry = page.locator("ol.duty li[data-kind='alert.acknowledged']", { hasText: "zhang.wei" });
  await entry.first().waitFor();
  must((await entry.first().textContent()).includes(`#${id}`), "the entry names the alert");
  must(await page.locator("#verify.ok").count() === 1, "the duty log verifies");
  for (const kind of ["alert.assigned", "alert.commented"])
    await page.locator(`ol.duty li[data-kind='${kind}']`, { hasText: "zhang.wei" }).first().waitFor();
  // the calendar shows the rotation; a display name with markup is text
  const cal = await page.textContent("table.calendar tr[data-schedule='security-duty']");
  must(cal.includes("张伟") && cal.includes("<b>李娜</b>"), "both people of the rotation in the calendar, as text");
  must(await page.locator("table.calendar b b").count() === 0, "no <b> element made from a display name");
  step("hand over");
  await page.fill("form.handover textarea", "交接：DBA 正在处理数据库故障");
  await page.click("form.handover button");
  await page.locator("ol.duty li[data-kind='handover']", { hasText: "交接：DBA" }).first().waitFor();
  await page.screenshot({ path: path.join(art, "4-duty-log.png"), fullPage: true });

  step("hosts and network");
  await page.click("a.tab[href='#/hosts']");
  await page.waitForSelector("#cpu-chart canvas");
  // the fleet: this server is in it, up
  await page.locator("table.fleet tr[data-host]").first().waitFor();
  const fleet = await page.evaluate(async () => (await fetch("/api/v1/hosts")).json());
  const self = fleet.hosts.find((x) => x.kind === "server");
  must(self && self.state === "up", `this server in the fleet, up: ${JSON.stringify(fleet)}`);
  must((await page.textContent(`table.fleet tr[data-host='${self.name}']`)).includes(self.name), "its row in the table");
  const cpu = await page.evaluate(async () => (await fetch("/api/v1/series?name=host_cpu_usage_ratio&minutes=60")).json());
  must(cpu.points.length > 0, `the last hour's CPU readings, in a store younger than an hour: ${JSON.stringify(cpu)}`);
  await page.locator("table.detections td.summary", { hasText: "probe" }).first().waitFor();
  must(await page.locator("table.detections img").count() === 0, "detections shown as text");
  await page.screenshot({ path: path.join(art, "5-hosts.png"), fullPage: true });

  step("a change without the CSRF token is refused");
  const status = await page.evaluate(async (i) =>
    (await fetch(`/api/v1/alerts/${i}/resolve`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).status, id);
  must(status === 403, `403 for a POST without X-CSRF-Token (got ${status})`);

  step("English, then sign out");
  await page.click("a.lang");
  await page.waitForSelector("a.tab:text('Duty')");
  await page.click("button.out");
  await page.waitForSelector("input[name=password]");
  const after = await page.evaluate(async () => (await fetch("/api/v1/overview")).status);
  must(after === 401, `nothing answers after signing out (got ${after})`);
  must(await page.evaluate(() => window.__xss === undefined), "no injected script ran");
  must(errors.length === 0, `no page errors or dialogs: ${errors.join("; ")}`);
  console.log(JSON.stringify({ ok: true, alert: Number(id) }));
} catch (e) {
  await page.screenshot({ path: path.join(art, "failure.png"), fullPage: true }).catch(() => 0);
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e), page_errors: errors }));
  process.exitCode = 1;
} finally {
  await browser.close();
  lines.close();
}
