// One host's page (#/hosts/NAME?range=6h): what it is (kind, state, agent id, version,
// groups, asset, department, address, last report), its open alerts, and the history of its
// metrics over the range chosen: CPU, memory, disk use per mount point, load, network and disk
// rates; an SNMP device's processors, memory, storage, load and its interfaces' traffic and
// errors. From /api/v1/hosts/NAME and /api/v1/hosts/NAME/series.
import { api, Alert, ApiError } from "./api";
import { debounce, enterView, page, renderBar, viewGen, whileShown } from "./app";
import { disposeCharts, GapPoints, rangeChart, Unit } from "./charts";
import { clear, fmtTime, h, td } from "./dom";
import { Key, sev, t, tAny } from "./i18n";
import { on } from "./live";

const RANGES = ["1h", "6h", "24h", "7d"] as const;
type Range = (typeof RANGES)[number];

export interface HostDetail {
  name: string; kind: string; state: string; last_report?: string; started?: string; enrolled?: string;
  address?: string; asset?: string; department?: string; groups?: string[]; agent_id?: number; version?: string;
  leader?: boolean; self?: boolean; sysname?: string; sysdescr?: string; uptime_seconds?: number;
  cpu_ratio?: number; memory_ratio?: number; disk_ratio?: number; alerts: number;
  interfaces?: { up: number; down: number };
}
interface HostSeries {
  host: string; kind: string; from_ms: number; to_ms: number; step_ms: number; truncated: boolean;
  series: { name: string; labels: Record<string, string>; resolution: string; points: [number, number, number, number][] }[];
}

// What one chart draws: which series (by metric name), each line's name, and the unit.
interface ChartDef {
  id: string; title: Key; unit: Unit;
  take: Record<string, (l: Record<string, string>) => string>; // metric -> the line's name
  scale?: number; // values times this (octets -> bits)
  named?: boolean; // each line is a thing (a mount point, an interface): its legend even when alone
}

const HOST_CHARTS: ChartDef[] = [
  { id: "cpu", title: "ch_cpu", unit: "ratio", take: { host_cpu_usage_ratio: () => "CPU" } },
  { id: "memory", title: "ch_memory", unit: "ratio",
    take: { host_memory_used_ratio: () => t("memory"), host_swap_used_ratio: () => t("s_swap") } },
  { id: "disk", title: "ch_disk", unit: "ratio", named: true, take: { host_filesystem_used_ratio: (l) => l.mountpoint || l.device || "?" } },
  { id: "load", title: "ch_load", unit: "number",
    take: { host_load1: () => "1m", host_load5: () => "5m", host_load15: () => "15m" } },
  { id: "net", title: "ch_net", unit: "bits", scale: 8, named: true,
    take: { host_network_receive_bytes_per_second: (l) => `${l.device || "?"} ${t("s_rx")}`,
            host_network_transmit_bytes_per_second: (l) => `${l.device || "?"} ${t("s_tx")}` } },
  { id: "diskio", title: "ch_diskio", unit: "bytes", named: true,
    take: { host_disk_read_bytes_per_second: (l) => `${l.device || "?"} ${t("s_read")}`,
            host_disk_write_bytes_per_second: (l) => `${l.device || "?"} ${t("s_write")}` } },
];

const ifName = (l: Record<string, string>) => l.ifname || l.ifalias || "?";
const DEVICE_CHARTS: ChartDef[] = [
  { id: "ifrate", title: "ch_ifrate", unit: "bits", scale: 8, named: true,
    take: { snmp_if_in_octets_per_second: (l) => `${ifName(l)} ${t("s_in")}`,
            snmp_if_out_octets_per_second: (l) => `${ifName(l)} ${t("s_out")}` } },
  { id: "iferr", title: "ch_iferr", unit: "number", named: true,
    take: { snmp_if_in_errors_per_second: (l) => `${ifName(l)} ${t("s_err")} ${t("s_in")}`,
            snmp_if_out_errors_per_second: (l) => `${ifName(l)} ${t("s_err")} ${t("s_out")}`,
            snmp_if_in_discards_per_second: (l) => `${ifName(l)} ${t("s_discard")} ${t("s_in")}`,
            snmp_if_out_discards_per_second: (l) => `${ifName(l)} ${t("s_discard")} ${t("s_out")}` } },
  { id: "cpu", title: "ch_dcpu", unit: "ratio",
    take: { snmp_cpu_load_ratio: (l) => `CPU ${l.cpu || ""}`.trim(), snmp_cpu_usage_ratio: (l) => l.entity || "CPU" } },
  { id: "memory", title: "ch_dmem", unit: "ratio", take: { snmp_memory_usage_ratio: (l) => l.entity || t("memory") } },
  { id: "load", title: "ch_load", unit: "number", take: { snmp_load_average: (l) => l.period || "load" } },
  { id: "up", title: "ch_up", unit: "number", take: { snmp_device_up: () => "up" } },
];

const enc = encodeURIComponent;

export function rangeFrom(q: URLSearchParams): Range {
  const r = q.get("range") as Range;
  return RANGES.includes(r) ? r : "1h";
}

// Breaks a line where points are missing: a null after any gap five times the usual spacing.
function withGaps(p: [number, number][]): GapPoints {
  if (p.length < 3) return p;
  const d = p.slice(1).map((x, i) => x[0] - p[i][0]).sort((a, b) => a - b);
  const usual = d[Math.floor(d.length / 2)];
  const out: GapPoints = [];
  p.forEach((x, i) => {
    if (i && x[0] - p[i - 1][0] > 5 * usual) out.push([p[i - 1][0] + usual, null]);
    out.push(x);
  });
  return out;
}

// A share out of two series of bytes matched by a label (used of size, per storage area; what
// is not available of the total memory): f(a, b) at each time both have.
function shareOf(s: HostSeries["series"], a: string, b: string, key: string,
                 f: (x: number, y: number) => number, name?: string): { name: string; points: GapPoints }[] {
  const of = new Map<string, Map<number, number>>();
  for (const x of s.filter((y) => y.name === b)) of.set(x.labels[key] || "", new Map(x.points.map((p) => [p[0], p[1]])));
  return s.filter((x) => x.name === a && of.has(x.labels[key] || "")).map((x) => {
    const by = of.get(x.labels[key] || "")!;
    return { name: name ?? (x.labels[key] || "?"),
             points: withGaps(x.points.filter((p) => (by.get(p[0]) ?? 0) > 0).map((p) => [p[0], f(p[1], by.get(p[0])!)])) };
  });
}

function lines(def: ChartDef, s: HostSeries["series"]): { name: string; points: GapPoints }[] {
  return s.filter((x) => def.take[x.name]).map((x) => ({
    name: def.take[x.name](x.labels),
    points: withGaps(x.points.map((p) => [p[0], p[1] * (def.scale ?? 1)])),
  }));
}

function uptime(sec: number): string {
  const d = Math.floor(sec / 86400), hh = Math.floor((sec % 86400) / 3600), m = Math.floor((sec % 3600) / 60);
  return d ? `${d}d ${hh}h` : `${hh}h ${m}m`;
}

function identity(x: HostDetail): HTMLElement {
  const rows: [string, string, string | number | undefined][] = [
    ["kind", t("kind"), tAny(`kind_${x.kind}`, x.kind)],
    ["state", t("state"), tAny(`hstate_${x.state}`, x.state)],
    ["last-report", t("lastReport"), x.last_report ? fmtTime(x.last_report) : "-"],
    ["agent-id", t("agentId"), x.agent_id],
    ["version", t("version"), x.version],
    ["groups", t("groups"), x.groups?.length ? x.groups.join(", ") : undefined],
    ["asset", t("asset"), x.asset],
    ["department", t("department"), x.department],
    ["address", t("address"), x.address],
    ["enrolled", t("enrolled"), x.enrolled ? fmtTime(x.enrolled) : undefined],
    ["started", t("started"), x.started ? fmtTime(x.started) : undefined],
    ["leader", t("leader"), x.leader === undefined ? undefined : t(x.leader ? "yes" : "no")],
    ["sysname", t("sysname"), x.sysname],
    ["sysdescr", t("sysdescr"), x.sysdescr],
    ["uptime", t("uptime"), x.uptime_seconds === undefined ? undefined : uptime(x.uptime_seconds)],
  ];
  return h("dl", { class: "host" }, ...rows.filter((r) => r[2] !== undefined && r[2] !== "")
    .flatMap(([cls, label, v]) => [h("dt", {}, label), h("dd", { class: cls }, v as string | number)]));
}

function alertTable(list: Alert[]): HTMLElement {
  if (!list.length) return h("p", { class: "none" }, t("noOpenAlerts"));
  return h("table", { class: "alerts host-alerts" },
    h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, t("severity")), h("th", {}, t("rule")),
      h("th", {}, t("summary")), h("th", {}, t("state")), h("th", {}, t("started")))),
    h("tbody", {}, ...list.map((a) => h("tr", { class: `sev-${a.severity_name} ${a.state}`, "data-id": a.id },
      td("#", {}, h("a", { href: `#/alerts/${a.id}` }, a.id)), td(t("severity"), {}, sev(a.severity_name)),
      td(t("rule"), {}, a.rule), td(t("summary"), { class: "summary" }, a.summary),
      td(t("state"), {}, tAny(a.state, a.state)), td(t("started"), {}, fmtTime(a.started_at))))));
}

async function draw(name: string, range: Range): Promise<void> {
  const g = viewGen();
  let detail: { host: HostDetail; alerts: Alert[] };
  try {
    detail = await api.get(`/api/v1/hosts/${enc(name)}`);
  } catch (e) {
    if (g !== viewGen()) return;
    renderBar("hosts");
    clear(page, h("p", {}, h("a", { href: "#/hosts" }, t("backToFleet"))),
      h("p", { class: "bad", id: "host-missing" }, (e as ApiError).status === 404 ? t("noHost", { name }) : (e as Error).message));
    return;
  }
  const s = await api.get<HostSeries>(`/api/v1/hosts/${enc(name)}/series?range=${range}&points=240`)
    .catch(() => null);
  if (g !== viewGen()) return;
  renderBar("hosts");
  disposeCharts();
  const x = detail.host;
  const defs = x.kind === "snmp" ? DEVICE_CHARTS : HOST_CHARTS;
  const panels: HTMLElement[] = [];
  const draws: (() => void)[] = [];
  const chartOf = (id: string, title: string, unit: Unit, ls: { name: string; points: GapPoints }[], named = false) => {
    const box = h("div", { class: "chart", "data-chart": id, "data-lines": ls.length,
                           "data-points": ls.reduce((n, l) => n + l.points.filter((p) => p[1] !== null).length, 0) });
    panels.push(h("div", { class: "panel", "data-panel": id }, h("h3", {}, title), box,
      ls.length ? null : h("p", { class: "none" }, t("noData"))));
    if (ls.length && s) draws.push(() => rangeChart(box, s.from_ms, s.to_ms, unit, ls, named || ls.length > 1));
  };
  for (const def of defs) {
    let ls = s ? lines(def, s.series) : [];
    if (s && def.id === "memory" && x.kind === "snmp" && !ls.length) // UCD-SNMP-MIB: available of the total
      ls = shareOf(s.series, "snmp_memory_available_bytes", "snmp_memory_total_bytes", "device", (v, total) => 1 - v / total, t("memory"));
    chartOf(def.id, t(def.title), def.unit, ls, def.named);
    if (def.id === "memory" && x.kind === "snmp")
      chartOf("storage", t("ch_storage"), "ratio", s ? shareOf(s.series, "snmp_storage_used_bytes", "snmp_storage_size_bytes",
        "storage", (v, size) => v / size) : [], true);
  }
  const state = !["up", "disabled"].includes(x.state);
  clear(page,
    h("p", {}, h("a", { href: "#/hosts", class: "back" }, t("backToFleet"))),
    h("h2", { class: "host-title", "data-host": x.name }, x.name, " ",
      h("span", { class: state ? "hstate bad" : "hstate ok" }, tAny(`hstate_${x.state}`, x.state))),
    h("section", { class: "grid" },
      h("div", { class: "panel" }, h("h3", {}, t("identity")), identity(x)),
      h("div", { class: "panel" }, h("h3", {}, `${t("openAlerts")} (${detail.alerts.length})`), alertTable(detail.alerts))),
    h("div", { class: "filters ranges" }, h("span", {}, `${t("range")}:`),
      ...RANGES.map((r) => h("a", { href: `#/hosts/${enc(name)}?range=${r}`, class: r === range ? "on" : "", "data-range": r },
        t(`range_${r}` as Key)))),
    s?.truncated ? h("p", { class: "bad" }, t("seriesTruncated", { n: s.series.length })) : null,
    h("section", { class: "grid host-charts" }, ...panels));
  draws.forEach((f) => f());
}

export async function hostPage(name: string, range: Range): Promise<void> {
  const redraw = debounce(() => { draw(name, range).catch(() => undefined); }, 1000);
  enterView(redraw);
  await draw(name, range);
  let n = 0;
  whileShown(on("tick", () => { if (++n % 30 === 0) redraw(); })); // the charts move on every half minute
  whileShown(on("alerts", redraw));
}
