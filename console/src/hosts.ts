// Hosts and network: the fleet (this server, the agents, the SNMP devices, each with its state,
// asset, department, groups and open alerts; filters by kind, state, group, asset and department,
// kept in the hash; a row opens the host's page); this host's CPU, memory and load over the last hour (growing live),
// its disks and busiest processes; each capture interface's heaviest talkers; the latest
// detections of the network and log sensors.
import { api, Alert, NetIf, Series } from "./api";
import { scaled, TimeChart } from "./charts";
import { debounce, enterView, page, renderBar, typing, whileShown, viewGen } from "./app";
import { clear, fmtTime, h, td } from "./dom";
import { sev, t, tAny } from "./i18n";
import { on, Tick } from "./live";

const HOUR = 3600000;

interface HostSnap {
  host?: { name?: string };
  system?: {
    cpu?: { cores?: number; total_pct?: number };
    memory?: { used_pct?: number; total?: number };
    load?: Record<string, number>;
    filesystem?: { mount_point: string; device_name: string; used_pct: number; total: number }[];
    process?: { top_cpu?: { pid: number; name: string; user: string; cpu_pct: number; rss_bytes: number; command_line?: string }[] };
  };
}

function pct(v: number | undefined): string {
  return v === undefined ? "-" : `${(v * 100).toFixed(1)}%`;
}

function talkers(title: string, list: NetIf["sources"]): HTMLElement {
  return h("div", { class: "panel" }, h("h3", {}, title),
    h("table", { class: "talkers" },
      h("thead", {}, h("tr", {}, h("th", {}, t("address")), h("th", {}, t("rate")), h("th", {}, "pps"))),
      h("tbody", {}, ...list.map((x) => h("tr", {}, h("td", {}, x.address), h("td", {}, scaled(x.bits_per_second, "bits")),
        h("td", {}, x.packets_per_second.toFixed(0)))))),
    list.length ? null : h("p", {}, t("noData")));
}

interface FleetHost {
  name: string; kind: string; state: string; last_report?: string; asset?: string; department?: string; groups?: string[];
  cpu_ratio?: number; memory_ratio?: number; disk_ratio?: number; alerts: number;
}

// The fleet's filters, as the API takes them (each exact) and as the hash keeps them:
// #/hosts?department=运维部&group=web.
const FLEET_KEYS = ["kind", "state", "group", "asset", "department"] as const;
type FleetKey = (typeof FLEET_KEYS)[number];
export type FleetFilter = Record<FleetKey, string>;

export function fleetFilterFrom(p: URLSearchParams): FleetFilter {
  const f = {} as FleetFilter;
  for (const k of FLEET_KEYS) f[k] = p.get(k) || "";
  return f;
}

function fleetQuery(f: FleetFilter): string {
  const p = new URLSearchParams();
  for (const k of FLEET_KEYS) if (f[k]) p.set(k, f[k]);
  return p.toString();
}

const fleetHash = (f: FleetFilter) => (fleetQuery(f) ? `#/hosts?${fleetQuery(f)}` : "#/hosts");
const hostHref = (name: string) => `#/hosts/${encodeURIComponent(name)}`;
const ANY: Record<FleetKey, "anyKind" | "anyState" | "anyGroup" | "anyAsset" | "anyDepartment"> =
  { kind: "anyKind", state: "anyState", group: "anyGroup", asset: "anyAsset", department: "anyDepartment" };

function valueName(k: FleetKey, v: string): string {
  return k === "kind" ? tAny(`kind_${v}`, v) : k === "state" ? tAny(`hstate_${v}`, v) : v;
}

// A select per filter, its choices the distinct values among all the hosts the server has
// (and the one asked for, should no host have it any more); a choice goes into the hash.
function fleetFilters(f: FleetFilter, all: FleetHost[], shown: number): HTMLElement {
  const choices = (k: FleetKey) => {
    const seen = new Set<string>();
    for (const x of all) for (const v of k === "group" ? x.groups || [] : [x[k]]) if (typeof v === "string" && v) seen.add(v);
    if (f[k]) seen.add(f[k]);
    return [...seen].sort((a, b) => valueName(k, a).localeCompare(valueName(k, b)));
  };
  const sels = FLEET_KEYS.map((k) => h("select", { name: k, title: t(ANY[k]) },
    h("option", { value: "" }, t(ANY[k])),
    ...choices(k).map((v) => h("option", { value: v, selected: f[k] === v }, valueName(k, v)))) as HTMLSelectElement);
  const set = FLEET_KEYS.some((k) => f[k]);
  return h("form", { class: "filters fleet-filters", onsubmit: (e: Event) => e.preventDefault() },
    ...sels.map((el) => {
      el.addEventListener("change", () => {
        const next = { ...f };
        sels.forEach((x) => { next[x.name as FleetKey] = x.value; });
        location.hash = fleetHash(next);
      });
      return el;
    }),
    set ? h("a", { href: "#/hosts", class: "clear" }, t("clearFilters")) : null,
    h("span", { class: "hint", id: "fleet-count" }, t("fleetShown", { n: shown, m: all.length })));
}

// Each host's row opens its page (hostpage.ts).
function fleet(list: FleetHost[]): HTMLElement {
  const bad = (x: FleetHost) => !["up", "disabled"].includes(x.state);
  const cols = [t("host"), t("kind"), t("state"), t("asset"), t("department"), t("groups"), t("lastReport"), "CPU",
    t("memory"), t("disk"), t("openAlerts")];
  return h("table", { class: "fleet" },
    h("thead", {}, h("tr", {}, ...cols.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...list.map((x) => h("tr", { "data-host": x.name, class: bad(x) ? "bad link" : "link",
                                              onclick: (e: Event) => { if (!(e.target as Element).closest("a")) location.hash = hostHref(x.name); } },
      td(cols[0], {}, h("a", { href: hostHref(x.name), class: "host-link" }, x.name)), td(cols[1], {}, tAny(`kind_${x.kind}`, x.kind)),
      td(cols[2], { class: "state" }, tAny(`hstate_${x.state}`, x.state)),
      td(cols[3], { class: "asset" }, x.asset || "-"), td(cols[4], { class: "department" }, x.department || "-"),
      td(cols[5], { class: "groups" }, (x.groups || []).join(", ") || "-"),
      td(cols[6], {}, x.last_report ? fmtTime(x.last_report) : "-"), td(cols[7], {}, pct(x.cpu_ratio)),
      td(cols[8], {}, pct(x.memory_ratio)), td(cols[9], { class: (x.disk_ratio ?? 0) > 0.9 ? "bad" : "" }, pct(x.disk_ratio)),
      td(cols[10], { class: x.alerts ? "bad" : "" }, x.alerts)))));
}

let charts: Record<"cpu" | "memory" | "load1", TimeChart> | null = null;
let boxes: Record<"cpu" | "memory" | "load1", HTMLElement> | null = null;

async function seed(): Promise<void> {
  const names = { cpu: "host_cpu_usage_ratio", memory: "host_memory_used_ratio", load1: "host_load1" } as const;
  await Promise.all((Object.keys(names) as (keyof typeof names)[]).map(async (k) => {
    const s = await api.get<Series>(`/api/v1/series?name=${names[k]}&minutes=60`).catch(() => null);
    if (s && charts) charts[k].set(t(k === "load1" ? "load" : k === "cpu" ? "cpu" : "memory"), s.points.map((p) => [p[0], p[1]]));
  }));
}

async function draw(f: FleetFilter): Promise<void> {
  const g = viewGen();
  const fleetOf = (q: string) => api.get<{ hosts: FleetHost[] }>(`/api/v1/hosts${q ? `?${q}` : ""}`)
    .catch(() => ({ hosts: [] as FleetHost[] }));
  const q = fleetQuery(f);
  const [all, fl, host, net, recent] = await Promise.all([
    fleetOf(""), q ? fleetOf(q) : null, // the server filters; every host for the choices
    api.get<HostSnap>("/api/v1/host").catch(() => null),
    api.get<{ interfaces: NetIf[] }>("/api/v1/net"),
    api.get<{ alerts: Alert[] }>("/api/v1/alerts?limit=200"),
  ]);
  if (g !== viewGen()) return;
  renderBar("hosts");
  if (!boxes) boxes = { cpu: h("div", { class: "chart", id: "cpu-chart" }), memory: h("div", { class: "chart", id: "mem-chart" }),
                        load1: h("div", { class: "chart", id: "load-chart" }) };
  const sys = host?.system;
  const shown = (fl || all).hosts;
  const detections = recent.alerts.filter((a) => /^keepwatch\.(net|logs)/.test(a.details?.event?.dataset || "")).slice(0, 20);
  clear(page,
    h("h2", {}, t("fleet")), fleetFilters(f, all.hosts, shown.length), fleet(shown),
    shown.length ? null : h("p", { class: "empty" }, t("none")),
    h("h2", {}, host?.host?.name || "", " · ", `${t("cpu")} ${pct(sys?.cpu?.total_pct)} · ${t("memory")} ${pct(sys?.memory?.used_pct)} · ${t("load")} ${sys?.load?.["1"] ?? "-"}`),
    h("section", { class: "grid" },
      h("div", { class: "panel" }, h("h3", {}, `${t("cpu")} · ${t("lastHour")}`), boxes.cpu),
      h("div", { class: "panel" }, h("h3", {}, `${t("memory")} · ${t("lastHour")}`), boxes.memory),
      h("div", { class: "panel" }, h("h3", {}, `${t("load")} · ${t("lastHour")}`), boxes.load1),
      h("div", { class: "panel" }, h("h3", {}, t("filesystems")),
        h("table", { class: "fs" }, h("tbody", {}, ...(sys?.filesystem || []).map((f) =>
          h("tr", {}, h("td", {}, f.mount_point), h("td", {}, f.device_name), h("td", { class: f.used_pct > 0.9 ? "bad" : "" }, pct(f.used_pct))))))),
      h("div", { class: "panel wide" }, h("h3", {}, t("topProcs")),
        h("table", { class: "procs" },
          h("thead", {}, h("tr", {}, h("th", {}, "PID"), h("th", {}, t("process")), h("th", {}, t("user")), h("th", {}, "CPU"), h("th", {}, "RSS"))),
          h("tbody", {}, ...(sys?.process?.top_cpu || []).map((p) =>
            h("tr", {}, h("td", {}, p.pid), h("td", { title: p.command_line || "" }, p.name), h("td", {}, p.user),
              h("td", {}, pct(p.cpu_pct)), h("td", {}, `${(p.rss_bytes / 1048576).toFixed(0)} MiB`))))))),
    h("h2", {}, t("network")),
    net.interfaces.length ? null : h("p", {}, t("noCapture")),
    ...net.interfaces.map((i) => h("section", { class: "grid", "data-interface": i.interface },
      h("div", { class: "panel" }, h("h3", {}, `${i.interface}`),
        h("p", {}, t("ifCounts", { p: i.packets, b: i.bytes, d: i.kernel_dropped })), h("p", {}, fmtTime(i.at))),
      talkers(t("sources"), i.sources), talkers(t("destinations"), i.destinations))),
    h("h2", {}, t("detections")),
    h("table", { class: "alerts detections" },
      h("tbody", {}, ...detections.map((a) => h("tr", { class: `sev-${a.severity_name} ${a.state}`, "data-id": a.id },
        h("td", {}, h("a", { href: `#/alerts/${a.id}` }, a.id)), h("td", {}, sev(a.severity_name)), h("td", {}, a.rule),
        h("td", { class: "summary" }, a.summary), h("td", {}, fmtTime(a.started_at)))))),
    detections.length ? null : h("p", {}, t("none")));
  if (!charts) {
    charts = { cpu: new TimeChart(boxes.cpu, HOUR, "ratio"), memory: new TimeChart(boxes.memory, HOUR, "ratio"),
               load1: new TimeChart(boxes.load1, HOUR) };
    seed().catch(() => undefined);
  }
}

export async function hosts(f: FleetFilter): Promise<void> {
  charts = null;
  boxes = null;
  const redraw = debounce(() => { if (!typing()) draw(f).catch(() => undefined); }, 1000);
  enterView(redraw);
  await draw(f);
  let n = 0;
  whileShown(on("tick", (x: Tick) => {
    if (!charts) return;
    const ts = Date.parse(x.ts);
    if (x.host.cpu !== undefined) charts.cpu.add(t("cpu"), ts, x.host.cpu);
    if (x.host.memory !== undefined) charts.memory.add(t("memory"), ts, x.host.memory);
    if (x.host.load1 !== undefined) charts.load1.add(t("load"), ts, x.host.load1);
    Object.values(charts).forEach((c) => c.draw());
    if (++n % 10 === 0) redraw(); // the talkers and processes every ten seconds
  }));
  whileShown(on("alerts", redraw));
}
