// The wall for the big screen: the protection period, alert counts, each protected asset,
// live traffic to the key assets, who is on duty, the latest duty-log entries.
import { api, AlertGroup, Overview } from "./api";
import { chart, TimeChart } from "./charts";
import { debounce, dutyList, enterView, page, renderBar, setMe, verifyLine, whileShown, viewGen } from "./app";
import { clear, fmtTime, h } from "./dom";
import { lang, sev, t } from "./i18n";
import { on, Tick } from "./live";
import { fetchGroups, groupWhere } from "./triage";

const TRAFFIC_WINDOW_MS = 15 * 60 * 1000;

function countdown(o: Overview): string {
  if (!o.period) return t("noPeriod");
  const now = Date.parse(o.now), start = Date.parse(o.period.start), end = Date.parse(o.period.end);
  const left = (ms: number) => {
    const d = Math.floor(ms / 86400000), hh = Math.floor((ms % 86400000) / 3600000), mm = Math.floor((ms % 3600000) / 60000);
    return lang() === "zh" ? `${d} 天 ${hh} 时 ${mm} 分` : `${d}d ${hh}h ${mm}m`;
  };
  if (now < start) return `${o.period.name} · ${t("startsIn")} ${left(start - now)}`;
  if (now < end) return `${o.period.name} · ${t("endsIn")} ${left(end - now)}`;
  return `${o.period.name} · ${t("periodOver")}`;
}

// What needs a person now: unacknowledged critical and high alerts by attack, newest first
// within each severity, above everything else.
function triage(groups: AlertGroup[], total: number): HTMLElement {
  return h("section", { class: "panel triage", id: "triage" }, h("h2", {}, t("triage")),
    groups.length ? h("ol", { class: "triage" }, ...groups.map((x) =>
      h("li", { class: `sev-${x.severity_name}`, "data-rule": x.rule, "data-count": x.firing },
        h("span", { class: "badge" }, sev(x.severity_name)), " ",
        h("a", { href: `#/alerts?state=firing&severity=${x.severity_name}` }, h("b", {}, x.rule)), " ",
        h("span", { class: "where" }, groupWhere(x)), " ",
        h("b", { class: "count" }, `×${x.firing}`), " ",
        h("span", { class: "summary" }, x.summary), " ",
        h("time", {}, fmtTime(x.last))))) : h("p", { class: "ok" }, t("noTriage")),
    total > groups.length ? h("p", { class: "hint" }, h("a", { href: "#/alerts?state=firing" }, t("moreGroups", { n: total - groups.length }))) : null);
}

// The charts and their boxes live as long as the view: a redraw moves them into the new
// layout, so the traffic chart keeps its points.
let traffic: TimeChart | null = null;
let trafficBox: HTMLElement | null = null;
let sevBox: HTMLElement | null = null;
let sevChart: ReturnType<typeof chart> | null = null;
let trafficHint: HTMLElement | null = null;

function hint(): void {
  if (trafficHint && traffic) trafficHint.hidden = traffic.size > 0;
}

async function seedTraffic(chartObj: TimeChart): Promise<void> {
  const names = await api.get<{ series: string[] }>("/api/v1/series?prefix=net_target_packets_per_second");
  await Promise.all(names.series.map(async (name) => {
    const s = await api.get<{ points: [number, number, number, number][] }>(
      `/api/v1/series?name=${encodeURIComponent(name)}&minutes=15`);
    const m = /target="([^"]*)",interface="([^"]*)"/.exec(name);
    chartObj.set(m ? `${m[1]} (${m[2]})` : name, s.points.map((p) => [p[0], p[1]]));
  }));
}

async function draw(): Promise<void> {
  const g = viewGen();
  const [o, tri] = await Promise.all([api.get<Overview>("/api/v1/overview"), fetchGroups("firing", "asset", "high", 12)]);
  if (g !== viewGen()) return;
  setMe(o.user);
  renderBar("overview", countdown(o));
  const sevs = ["critical", "high", "medium", "low"];
  if (!sevBox) sevBox = h("div", { class: "chart", id: "sev-chart" });
  if (!trafficBox) trafficBox = h("div", { class: "chart wide", id: "traffic-chart" });
  if (!trafficHint) trafficHint = h("p", { class: "hint" }, t("noTraffic"));
  clear(page,
    triage(tri.groups, tri.total_groups),
    h("section", { class: "cards" },
      h("div", { class: "card big firing" }, h("span", {}, t("firing")), h("b", { id: "n-firing" }, o.alerts.firing)),
      h("div", { class: "card big acked" }, h("span", {}, t("acked")), h("b", { id: "n-acked" }, o.alerts.acked)),
      h("div", { class: "card" }, h("h2", {}, t("bySeverity")), sevBox)),
    h("section", { class: "grid" },
      h("div", { class: "panel" }, h("h2", {}, t("assets")),
        h("ul", { class: "assets" }, ...o.assets.map((a) =>
          h("li", { class: `asset ${a.state} ${a.severity || ""}` },
            h("b", {}, a.name), a.business ? ` · ${a.business}` : "", " ",
            h("span", { class: "st" }, a.state === "ok" ? t("ok") : `${t(a.state as "firing" | "acked")} ${sev(a.severity || "")} ×${a.alerts}`))),
          o.assets.length ? null : h("li", {}, t("none")))),
      h("div", { class: "panel wide2" }, h("h2", {}, t("traffic")), trafficHint, trafficBox),
      h("div", { class: "panel" }, h("h2", {}, t("onDuty")),
        h("ul", { class: "oncall" }, ...o.oncall.map((c) =>
          h("li", {}, h("b", {}, c.schedule), ": ", c.display ? `${c.display}${c.phone ? " " + c.phone : ""}` : t("nobody"),
            c.until ? ` (${t("until")} ${fmtTime(c.until)})` : "", c.next ? ` · ${t("next")}: ${c.next}` : "")),
          o.oncall.length ? null : h("li", {}, t("none")))),
      h("div", { class: "panel wide" }, h("h2", {}, t("dutyLog"), " ", verifyLine(o.duty.verify)), dutyList(o.duty.entries))));
  if (!sevChart) sevChart = chart(sevBox);
  sevChart.setOption({
    animation: false,
    grid: { left: 40, right: 10, top: 10, bottom: 24 },
    tooltip: {},
    xAxis: { type: "category", data: sevs.map(sev) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: sevs.map((s) => ({ value: o.alerts.by_severity[s] || 0,
      itemStyle: { color: { critical: "#b00020", high: "#e65100", medium: "#f9a825", low: "#607d8b" }[s] } })) }],
  });
  if (!traffic) {
    traffic = new TimeChart(trafficBox, TRAFFIC_WINDOW_MS);
    seedTraffic(traffic).then(hint, () => undefined);
  }
  hint();
}

export async function overview(): Promise<void> {
  traffic = null;
  trafficBox = sevBox = trafficHint = null;
  sevChart = null;
  const redraw = debounce(() => { draw().catch(() => undefined); });
  enterView(redraw);
  await draw();
  whileShown(on("alerts", redraw));
  whileShown(on("duty", redraw));
  whileShown(on("resync", redraw));
  whileShown(on("tick", (x: Tick) => {
    if (!traffic) return;
    const ts = Date.parse(x.ts);
    for (const p of x.pps) traffic.add(`${p.target} (${p.interface})`, ts, p.value);
    traffic.draw();
    hint();
  }));
}
