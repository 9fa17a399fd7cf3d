// The fleet's filters and a host's page in headless Chromium (Debian's), driven by
// playwright-core: on the hosts page, the fleet filtered by a department (only the other
// host's row left, the filter in the hash, kept by a reload and by opening the link) and by a
// group, then cleared; from the fleet, a click on the agent's row opens #/hosts/NAME with its
// name, kind and state, its open alert (a link that opens the alert) and its charts drawn from its history
// (the CPU line a path of several points inside the plot, as many as the page was given);
// another range redraws them and stays in the address; this server's own page; an SNMP
// device's page with its interfaces' traffic, errors, memory and storage; a name no host has;
// the page in English. Screenshots at 390x844 and 1600x1000 (no overflow at 390).
// Run by tests/integ/test_console_host_e2e.py (KW_HOST: the agent's name, KW_ALERT: its open
// alert's id, KW_SELF: this server's name, KW_DEVICE: an SNMP device's, KW_OTHER: a host in
// department KW_OTHER_DEPT, KW_HOST_GROUP: KW_HOST's group).
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { must, openPage, shots as shotsIn } from "./e2e_page.mjs";

const require = createRequire(path.join(process.env.KW_CONSOLE_DIR, "package.json"));
const { chromium } = require("playwright-core");

const url = process.env.KW_URL;
const art = process.env.KW_ARTIFACTS;
const host = process.env.KW_HOST;
const alertId = process.env.KW_ALERT;
const self = process.env.KW_SELF;
const device = process.env.KW_DEVICE;
const other = process.env.KW_OTHER;
const otherDept = process.env.KW_OTHER_DEPT;
const hostGroup = process.env.KW_HOST_GROUP;
fs.mkdirSync(art, { recursive: true });
const step = (s) => console.error(`e2e-host: ${s}`);
const shots = (page, name) => shotsIn(page, art, name, true);

// The lines an SVG chart drew: each path without fill, as its points (x, y), and the chart's
// size; axis and split lines are two points each.
async function drawn(page, id) {
  return page.$eval(`div.chart[data-chart='${id}']`, (el) => {
    const svg = el.querySelector("svg");
    if (!svg) return { svg: false, lines: [] };
    const w = svg.width.baseVal.value, hh = svg.height.baseVal.value;
    const lines = [...svg.querySelectorAll("path")]
      .filter((p) => (p.getAttribute("fill") || "none") === "none" && p.getAttribute("stroke") && p.getAttribute("stroke") !== "none")
      .map((p) => {
        const nums = (p.getAttribute("d") || "").match(/-?\d+(\.\d+)?/g) || [];
        const pts = [];
        for (let i = 0; i + 1 < nums.length; i += 2) pts.push([Number(nums[i]), Number(nums[i + 1])]);
        return pts;
      })
      .filter((pts) => pts.length >= 3);
    return { svg: true, w, h: hh, lines, given: Number(el.dataset.points) };
  });
}

async function chartHasData(page, id, what) {
  await page.waitForSelector(`div.chart[data-chart='${id}'] svg path`, { state: "attached" });
  const c = await drawn(page, id);
  must(c.svg, `${what}: an SVG chart`);
  must(c.given >= 3, `${what}: the page was given at least 3 points (${c.given})`);
  must(c.lines.length >= 1, `${what}: a line of 3 or more points drawn (paths: ${JSON.stringify(c.lines).slice(0, 200)})`);
  const line = c.lines[0];
  must(line.every(([x, y]) => x >= 0 && x <= c.w && y >= 0 && y <= c.h), `${what}: the line inside the chart`);
  must(line.every((p, i) => i === 0 || p[0] >= line[i - 1][0]), `${what}: its points left to right in time`);
  return c;
}

const { browser, page, errors } = await openPage(chromium);
try {
  step("sign in, the fleet on the hosts page");
  await page.goto(url + "/");
  await page.fill("input[name=name]", "zhang.wei");
  await page.fill("input[name=password]", process.env.KW_PASS);
  await page.click("button[type=submit]");
  await page.waitForSelector("a.tab[href='#/hosts']");
  await page.click("a.tab[href='#/hosts']");
  const row = `table.fleet tr[data-host='${host}']`;
  await page.waitForSelector(row);

  step("the fleet's filters: a department, then a group; in the hash, kept by a reload");
  const shown = () => page.$$eval("table.fleet tbody tr", (rs) => rs.map((r) => r.dataset.host).sort());
  const all = await shown();
  must(all.includes(host) && all.includes(other) && all.includes(self) && all.includes(device),
    `every host in the fleet unfiltered: ${all}`);
  const depts = await page.$$eval("form.fleet-filters select[name=department] option", (os) => os.map((o) => o.value));
  must(depts.includes(otherDept) && depts.includes("运维部") && depts[0] === "",
    `the departments to choose from are the hosts' (and any): ${depts}`);
  must((await page.textContent("form.fleet-filters select[name=department] option[value='']")) === "全部部门", "any department, in Chinese");
  await page.selectOption("form.fleet-filters select[name=department]", otherDept);
  await page.waitForFunction((d) => new URLSearchParams(location.hash.split("?")[1] || "").get("department") === d, otherDept);
  const onlyRow = (name) => page.waitForFunction((n) => {
    const rs = [...document.querySelectorAll("table.fleet tbody tr")];
    return rs.length === 1 && rs[0].dataset.host === n;
  }, name);
  const onlyOther = async (what) => {
    await onlyRow(other);
    must((await page.textContent(`table.fleet tr[data-host='${other}'] td.department`)) === otherDept, `${what}: its department shown`);
    must((await page.$eval("form.fleet-filters select[name=department]", (s) => s.value)) === otherDept, `${what}: the filter shows its choice`);
    must((await page.textContent("#fleet-count")).includes(`1 / ${all.length}`), `${what}: how many of all are shown`);
  };
  await onlyOther("filtered by department");
  const filtered = page.url();
  await shots(page, "h0-fleet-filtered");
  await page.reload();
  await onlyOther("after a reload");
  must(page.url() === filtered, "the reload keeps the address");
  await page.goto(`${url}/#/overview`);
  await page.waitForSelector("a.tab.on[href='#/overview']");
  await page.goto(filtered);
  await onlyOther("opened from the link");

  step("another filter: a group, with the department's removed");
  await page.selectOption("form.fleet-filters select[name=department]", "");
  await page.waitForFunction(() => !location.hash.includes("department="));
  await page.waitForFunction((n) => document.querySelectorAll("table.fleet tbody tr").length === n, all.length);
  await page.selectOption("form.fleet-filters select[name=group]", hostGroup);
  await page.waitForFunction((g) => location.hash === `#/hosts?group=${g}`, hostGroup);
  await onlyRow(host);
  must((await page.textContent(`${row} td.groups`)) === hostGroup, "the agent's groups shown");
  await page.click("form.fleet-filters a.clear");
  await page.waitForFunction(() => location.hash === "#/hosts");
  await page.waitForFunction((n) => document.querySelectorAll("table.fleet tbody tr").length === n, all.length);

  step("a click on the agent's row opens its page");
  await page.click(`${row} td:nth-child(3)`); // the row, not only its link
  await page.waitForFunction((n) => location.hash === `#/hosts/${encodeURIComponent(n)}`, host);
  await page.waitForSelector("h2.host-title");
  must((await page.getAttribute("h2.host-title", "data-host")) === host, "the page is the host's");
  must((await page.textContent("h2.host-title")).startsWith(host), "its name as the heading");
  must((await page.textContent("dl.host dd.kind")) === "代理主机", "its kind, in Chinese");
  must((await page.textContent("dl.host dd.state")) === "正常", "its state: up");
  must(/^\d+$/.test(await page.textContent("dl.host dd.agent-id")), "its agent id");
  must((await page.textContent("dl.host dd.address")) === "127.0.0.1", "its address");
  must(/^\d+\.\d+/.test(await page.textContent("dl.host dd.version")), "the keepwatch version it runs");

  step("its open alert, a link to the alert");
  const arow = `table.host-alerts tr[data-id='${alertId}']`;
  await page.waitForSelector(arow);
  must((await page.textContent(`${arow}`)).includes("service_down"), "the alert's rule in its row");
  must((await page.getAttribute(`${arow} a`, "href")) === `#/alerts/${alertId}`, "the alert's link");

  step("its charts, drawn from its history");
  const cpu = await chartHasData(page, "cpu", "CPU");
  await chartHasData(page, "memory", "memory");
  await chartHasData(page, "disk", "disk per mount point");
  await chartHasData(page, "load", "load");
  await chartHasData(page, "net", "network");
  must((await page.getAttribute("div.filters.ranges a.on", "data-range")) === "1h", "the last hour by default");
  const hourAxis = await page.$eval("div.chart[data-chart='cpu'] svg", (s) => s.textContent);
  await shots(page, "h1-agent");

  step("another range: in the address, the charts drawn again");
  await page.click("div.filters.ranges a[data-range='6h']");
  await page.waitForFunction(() => location.hash.endsWith("?range=6h"));
  await page.waitForFunction(() => document.querySelector("div.filters.ranges a.on")?.dataset.range === "6h");
  await page.waitForSelector("div.chart[data-chart='cpu'] svg path", { state: "attached" });
  const six = await drawn(page, "cpu");
  must(six.given >= 1, `the 6-hour chart has the samples in buckets of 90 s (${six.given})`);
  must(six.given < cpu.given, `fewer, wider buckets than the hour's 15 s (${six.given} < ${cpu.given})`);
  const axis = (id) => page.$eval(`div.chart[data-chart='${id}'] svg`, (s) => s.textContent);
  must((await axis("cpu")) !== hourAxis, "the time axis is another");

  step("the alert's link opens the alert");
  await page.click(`${arow} a`);
  await page.waitForFunction((id) => location.hash === `#/alerts/${id}`, alertId);
  await page.waitForFunction(() => document.body.textContent.includes("service_down"));

  // the fleet list, then a click on the host's row: its page
  const openFromFleet = async (name) => {
    await page.goto(`${url}/#/hosts`);
    await page.waitForSelector(`table.fleet tr[data-host='${name}'] a.host-link`);
    await page.click(`table.fleet tr[data-host='${name}'] a.host-link`);
    await page.waitForSelector(`h2.host-title[data-host='${name}']`);
  };

  step("this server's own page from the fleet");
  await openFromFleet(self);
  must((await page.textContent("dl.host dd.kind")) === "服务器", "a server");
  must((await page.textContent("dl.host dd.version")).length > 0, "its version");
  await chartHasData(page, "cpu", "this server's CPU");
  must(!(await page.$(`table.host-alerts tr[data-id='${alertId}']`)), "not the agent's alert");

  step("the SNMP device's page: its interfaces, memory and storage");
  await openFromFleet(device);
  must((await page.textContent("dl.host dd.kind")) === "网络设备", "an SNMP device");
  must((await page.textContent("dl.host dd.sysdescr")).length > 0, "its sysDescr");
  const ifr = await chartHasData(page, "ifrate", "the interfaces' traffic");
  must(ifr.lines.length >= 2, `in and out lines at least (${ifr.lines.length})`);
  const legend = await page.$eval("div.chart[data-chart='ifrate'] svg", (s) => s.textContent);
  must(legend.includes("lo 入") && legend.includes("lo 出"), `the lines named by interface and direction: ${legend.slice(0, 200)}`);
  await chartHasData(page, "iferr", "the interfaces' errors and discards");
  await chartHasData(page, "memory", "the device's memory (UCD: available of the total)");
  await chartHasData(page, "storage", "the device's storage");
  await chartHasData(page, "up", "the device answering");
  must(!(await page.$("div.chart[data-chart='disk']")), "no host charts on a device's page");
  await shots(page, "h3-device");

  step("a name no host has");
  await page.goto(`${url}/#/hosts/nosuch-host`);
  await page.waitForSelector("#host-missing");
  must((await page.textContent("#host-missing")).includes("nosuch-host"), "says which name");

  step("in English");
  await page.goto(`${url}/#/hosts/${encodeURIComponent(host)}`);
  await page.waitForSelector("dl.host dd.kind");
  await page.click("a.lang");
  await page.waitForFunction(() => document.querySelector("dl.host dd.kind")?.textContent === "agent");
  must((await page.textContent("body")).includes("Identity"), "English headings");
  await chartHasData(page, "cpu", "CPU in English");
  await shots(page, "h2-agent-en");

  must(errors.length === 0, `no page errors or dialogs: ${errors.join("; ")}`);
  console.log(JSON.stringify({ ok: true }));
} catch (e) {
  await page.screenshot({ path: path.join(art, "host-failure.png"), fullPage: true }).catch(() => 0);
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e), page_errors: errors }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
