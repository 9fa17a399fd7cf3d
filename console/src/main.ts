// The console: overview wall, alerts, duty. Data comes from the API every few seconds.
import "./style.css";
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { api, ApiError, Alert, DutyEntry, Overview, User, Verify } from "./api";
import { clear, fmtTime, h } from "./dom";
import { lang, setLang, sev, t } from "./i18n";

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

const REFRESH_MS = 3000;
let me: User | null = null;
let timer = 0;
const page = document.getElementById("page")!;
const bar = document.getElementById("bar")!;
const charts: echarts.ECharts[] = [];

function canAct(min: "member" | "officer"): boolean {
  const rank: Record<string, number> = { viewer: 1, member: 2, officer: 3, admin: 4 };
  return !!me && rank[me.role] >= rank[min];
}

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

function renderBar(active: string, o?: Overview): void {
  const tab = (id: string, label: string) =>
    h("a", { href: `#/${id}`, class: id === active ? "tab on" : "tab" }, label);
  clear(bar,
    h("strong", { class: "brand" }, t("title")),
    h("nav", {}, tab("overview", t("overview")), tab("alerts", t("alerts")), tab("duty", t("duty"))),
    h("span", { class: "period", id: "period" }, o ? countdown(o) : ""),
    h("span", { class: "me" }, me ? `${me.display || me.name} (${me.role})` : ""),
    h("a", { href: "#", class: "lang", onclick: (e: Event) => { e.preventDefault(); setLang(lang() === "zh" ? "en" : "zh"); route(); } },
      lang() === "zh" ? "English" : "中文"),
    h("button", { class: "out", onclick: async () => { await api.del("/api/v1/session").catch(() => 0); location.replace("/"); } },
      t("signout")));
}

function verifyLine(v: Verify): HTMLElement {
  return v.intact
    ? h("span", { class: "ok", id: "verify" }, "✔ " + t("intact", { n: v.entries }))
    : h("span", { class: "bad", id: "verify" }, "✘ " + t("broken", { id: v.bad_entry ?? "?", why: v.why ?? "" }));
}

function dutyList(entries: DutyEntry[]): HTMLElement {
  return h("ol", { class: "duty" }, ...entries.map((e) =>
    h("li", { "data-kind": e.kind },
      h("time", {}, fmtTime(e.ts)), " ",
      h("b", {}, e.kind), " ",
      h("span", { class: "actor" }, e.actor || ""), " ",
      e.alert_id ? h("a", { href: `#/alerts/${e.alert_id}` }, `#${e.alert_id}`) : "", " ",
      h("span", { class: "text" }, e.text || ""))));
}

// ---- overview ----

let sevChart: echarts.ECharts | null = null;

async function overview(): Promise<void> {
  const o = await api.get<Overview>("/api/v1/overview");
  me = o.user;
  renderBar("overview", o);
  const sevs = ["critical", "high", "medium", "low"];
  const chartBox = h("div", { class: "chart", id: "sev-chart" });
  clear(page,
    h("section", { class: "cards" },
      h("div", { class: "card big firing" }, h("span", {}, t("firing")), h("b", { id: "n-firing" }, o.alerts.firing)),
      h("div", { class: "card big acked" }, h("span", {}, t("acked")), h("b", { id: "n-acked" }, o.alerts.acked)),
      h("div", { class: "card" }, h("h2", {}, t("bySeverity")), chartBox)),
    h("section", { class: "grid" },
      h("div", { class: "panel" }, h("h2", {}, t("assets")),
        h("ul", { class: "assets" }, ...o.assets.map((a) =>
          h("li", { class: `asset ${a.state} ${a.severity || ""}` },
            h("b", {}, a.name), a.business ? ` · ${a.business}` : "", " ",
            h("span", { class: "st" }, a.state === "ok" ? t("ok") : `${t(a.state as "firing" | "acked")} ${sev(a.severity || "")} ×${a.alerts}`))),
          o.assets.length ? null : h("li", {}, t("none")))),
      h("div", { class: "panel" }, h("h2", {}, t("onDuty")),
        h("ul", { class: "oncall" }, ...o.oncall.map((c) =>
          h("li", {}, h("b", {}, c.schedule), ": ", c.display ? `${c.display}${c.phone ? " " + c.phone : ""}` : t("nobody"),
            c.until ? ` (${t("until")} ${fmtTime(c.until)})` : "", c.next ? ` · ${t("next")}: ${c.next}` : "")),
          o.oncall.length ? null : h("li", {}, t("none")))),
      h("div", { class: "panel wide" }, h("h2", {}, t("dutyLog"), " ", verifyLine(o.duty.verify)), dutyList(o.duty.entries))));
  sevChart?.dispose();
  sevChart = echarts.init(chartBox);
  charts.push(sevChart);
  sevChart.setOption({
    animation: false,
    grid: { left: 40, right: 10, top: 10, bottom: 24 },
    tooltip: {},
    xAxis: { type: "category", data: sevs.map(sev) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: sevs.map((s) => ({ value: o.alerts.by_severity[s] || 0,
      itemStyle: { color: { critical: "#b00020", high: "#e65100", medium: "#f9a825", low: "#607d8b" }[s] } })) }],
  });
}

// ---- alerts ----

async function alerts(state: string): Promise<void> {
  const q = state === "all" ? "" : `?state=${state}`;
  const { alerts: list } = await api.get<{ alerts: Alert[] }>(`/api/v1/alerts${q}${q ? "&" : "?"}limit=200`);
  renderBar("alerts");
  const filter = (s: string, label: string) => h("a", { href: `#/alerts?state=${s}`, class: s === state ? "on" : "" }, label);
  clear(page,
    h("p", { class: "filters" }, filter("open", t("open")), filter("firing", t("firing")), filter("acked", t("acked")),
      filter("resolved", t("resolved")), filter("all", t("all"))),
    h("table", { class: "alerts" },
      h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, t("severity")), h("th", {}, t("state")), h("th", {}, t("rule")),
        h("th", {}, t("summary")), h("th", {}, t("started")), h("th", {}, ""))),
      h("tbody", {}, ...list.map((a) =>
        h("tr", { class: `sev-${a.severity_name} ${a.state}`, "data-id": a.id },
          h("td", {}, h("a", { href: `#/alerts/${a.id}` }, a.id)),
          h("td", {}, sev(a.severity_name)),
          h("td", {}, t(a.state as "firing" | "acked" | "resolved")),
          h("td", {}, a.rule),
          h("td", { class: "summary" }, a.summary),
          h("td", {}, fmtTime(a.started_at)),
          h("td", {}, a.state === "firing" && canAct("member")
            ? h("button", { class: "ack", onclick: () => act(a.id, "ack") }, t("ack")) : ""))))),
    list.length ? null : h("p", {}, t("none")));
}

async function act(id: number, what: "ack" | "resolve", note = ""): Promise<void> {
  try {
    await api.post(`/api/v1/alerts/${id}/${what}`, note ? { note } : {});
  } catch (e) {
    alert((e as ApiError).status === 403 ? t("forbidden") : `${t("failed")}: ${(e as Error).message}`);
  }
  route();
}

async function alertDetail(id: number): Promise<void> {
  const a = await api.get<Alert>(`/api/v1/alerts/${id}`);
  renderBar("alerts");
  const note = h("input", { class: "note", placeholder: t("note") }) as HTMLInputElement;
  clear(page,
    h("h2", {}, `#${a.id} `, h("span", { class: `sev-${a.severity_name}` }, sev(a.severity_name)), " ", a.summary),
    h("dl", {},
      h("dt", {}, t("rule")), h("dd", {}, a.rule),
      h("dt", {}, t("state")), h("dd", {}, t(a.state as "firing" | "acked" | "resolved")),
      h("dt", {}, t("started")), h("dd", {}, fmtTime(a.started_at)),
      h("dt", {}, t("labels")), h("dd", {}, Object.entries(a.labels || {}).map(([k, v]) => `${k}=${v}`).join(", "))),
    a.state !== "resolved" && canAct("member") ? h("p", { class: "actions" }, note,
      a.state === "firing" ? h("button", { class: "ack", onclick: () => act(a.id, "ack", note.value) }, t("ack")) : "",
      canAct("officer") ? h("button", { class: "resolve", onclick: () => act(a.id, "resolve", note.value) }, t("resolve")) : "") : null,
    h("h3", {}, t("history")),
    h("ol", { class: "timeline" }, ...(a.history || []).map((x) =>
      h("li", {}, h("time", {}, fmtTime(x.at)), " ", h("b", {}, x.action), " ", x.actor || "", x.note ? ` — ${x.note}` : ""))));
}

// ---- duty ----

async function duty(): Promise<void> {
  const [d, oc] = await Promise.all([
    api.get<{ entries: DutyEntry[]; verify: Verify }>("/api/v1/duty?limit=200"),
    api.get<{ now: { schedule: string; display?: string; until?: string; next?: string }[];
              shifts: { schedule: string; display: string; layer: string; start: string; end: string }[] }>("/api/v1/oncall"),
  ]);
  renderBar("duty");
  const text = h("textarea", { class: "note", rows: 2, placeholder: t("note") }) as HTMLTextAreaElement;
  clear(page,
    h("section", { class: "grid" },
      h("div", { class: "panel" }, h("h2", {}, t("onDuty")),
        h("ul", {}, ...oc.now.map((c) => h("li", {}, h("b", {}, c.schedule), ": ", c.display || t("nobody"),
          c.until ? ` (${t("until")} ${fmtTime(c.until)})` : "")))),
      h("div", { class: "panel wide" }, h("h2", {}, t("shifts")),
        h("table", { class: "shifts" }, h("tbody", {}, ...oc.shifts.map((s) =>
          h("tr", {}, h("td", {}, s.schedule), h("td", {}, s.display), h("td", {}, s.layer),
            h("td", {}, fmtTime(s.start)), h("td", {}, fmtTime(s.end)))))))),
    h("h2", {}, t("dutyLog"), " ", verifyLine(d.verify)),
    canAct("officer") ? h("form", { class: "addnote", onsubmit: async (e: Event) => {
      e.preventDefault();
      if (!text.value.trim()) return;
      await api.post("/api/v1/duty/notes", { text: text.value }).catch((x) => alert((x as Error).message));
      route();
    } }, text, h("button", { type: "submit" }, t("addNote"))) : null,
    dutyList(d.entries));
}

// ---- routing ----

async function route(): Promise<void> {
  window.clearTimeout(timer);
  const hash = location.hash.replace(/^#\/?/, "") || "overview";
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  try {
    if (path === "overview") await overview();
    else if (path === "alerts") await alerts(params.get("state") || "open");
    else if (path.startsWith("alerts/")) await alertDetail(Number(path.slice(7)));
    else if (path === "duty") await duty();
    else location.hash = "#/overview";
  } catch (e) {
    clear(page, h("p", { class: "bad" }, (e as Error).message));
  }
  // live: the wall and the lists refresh themselves; a detail being read or a note being
  // written is left alone
  if (path === "overview" || path === "alerts") timer = window.setTimeout(route, REFRESH_MS);
}

async function start(): Promise<void> {
  const s = await api.get<{ user: User; csrf: string }>("/api/v1/session");
  me = s.user;
  api.setCsrf(s.csrf);
  setLang(lang());
  window.addEventListener("hashchange", route);
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  await route();
}

start();
