// Alerts: the list with its filters, and one alert with its timeline and what can be done
// with it (acknowledge, resolve, assign, comment).
import { api, Alert, Notifications } from "./api";
import { canAct, debounce, enterView, failed, page, renderBar, typing, viewGen, whileShown, whoami } from "./app";
import { clear, fmtTime, h, td } from "./dom";
import { kindName, sev, t } from "./i18n";
import { chart } from "./charts";
import { on } from "./live";
import { fetchGroups, groupTable, silenceForm } from "./triage";

export interface AlertFilter {
  state: string; severity: string; q: string; assignee: string; before: string;
  view: string; by: string; // view: groups (the default for open alerts) or list; by: asset or source
}

const PAGE = 200;

export function filterFrom(p: URLSearchParams): AlertFilter {
  return { state: p.get("state") || "open", severity: p.get("severity") || "", q: p.get("q") || "",
           assignee: p.get("assignee") || "", before: p.get("before") || "", view: p.get("view") || "", by: p.get("by") || "" };
}

// Groups are for open alerts without a text or assignee filter: who must act on what.
function grouped(f: AlertFilter): boolean {
  return f.view !== "list" && ["open", "firing", "acked"].includes(f.state) && !f.q && !f.assignee && !f.before;
}

function filterHash(f: AlertFilter): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) p.set(k, v);
  return `#/alerts?${p}`;
}

function stateName(s: string): string {
  return t(s as "firing" | "acked" | "resolved");
}

async function act(id: number, what: "ack" | "resolve", note = ""): Promise<void> {
  await api.post(`/api/v1/alerts/${id}/${what}`, note ? { note } : {}).catch(failed);
}

async function drawList(f: AlertFilter): Promise<void> {
  const g = viewGen();
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (f.state !== "all") q.set("state", f.state);
  if (f.severity) q.set("severity", f.severity);
  if (f.q) q.set("q", f.q);
  if (f.assignee) q.set("assignee", f.assignee);
  if (f.before) q.set("before", f.before);
  const groups = grouped(f) ? await fetchGroups(f.state, f.by, f.severity) : null;
  const { alerts: list } = groups ? { alerts: [] as Alert[] } : await api.get<{ alerts: Alert[] }>(`/api/v1/alerts?${q}`);
  if (g !== viewGen()) return;
  renderBar("alerts");
  const link = (g: Partial<AlertFilter>, label: string, on: boolean) =>
    h("a", { href: filterHash({ ...f, before: "", ...g }), class: on ? "on" : "" }, label);
  const search = h("input", { type: "search", name: "q", value: f.q, placeholder: t("search") }) as HTMLInputElement;
  const sevSel = h("select", { name: "severity" },
    h("option", { value: "" }, t("anySeverity")),
    ...["critical", "high", "medium", "low"].map((s) =>
      h("option", { value: s, selected: f.severity === s }, `${sev(s)} ${s === "critical" ? "" : t("atLeast")}`))) as HTMLSelectElement;
  const me = whoami();
  clear(page,
    h("form", { class: "filters", onsubmit: (e: Event) => {
      e.preventDefault();
      location.hash = filterHash({ ...f, q: search.value.trim(), severity: sevSel.value, before: "" });
    } },
      link({ state: "open" }, t("open"), f.state === "open"), link({ state: "firing" }, t("firing"), f.state === "firing"),
      link({ state: "acked" }, t("acked"), f.state === "acked"), link({ state: "resolved" }, t("resolved"), f.state === "resolved"),
      link({ state: "all" }, t("all"), f.state === "all"), " ",
      me ? link({ assignee: f.assignee === me.name ? "" : me.name }, t("mine"), f.assignee === me.name) : "", " ",
      sevSel, search, h("button", { type: "submit" }, t("searchBtn"))),
    h("p", { class: "views" },
      link({ view: "", by: "" }, `${t("grouped")} · ${t("byAsset")}`, !!groups && f.by !== "source"),
      link({ view: "", by: "source" }, `${t("grouped")} · ${t("bySource")}`, !!groups && f.by === "source"),
      link({ view: "list", by: "" }, t("eachAlert"), !groups)),
    groups ? h("p", { class: "hint", id: "group-count" }, t("alertsN", { n: groups.alerts })) : null,
    groups ? groupTable(groups.groups, f.state, () => { drawList(f).catch(() => undefined); }) : null,
    groups && !groups.groups.length ? h("p", {}, t("none")) : null,
    groups ? null : h("table", { class: "alerts" },
      h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, t("severity")), h("th", {}, t("state")), h("th", {}, t("rule")),
        h("th", {}, t("summary")), h("th", {}, t("assignee")), h("th", {}, t("started")), h("th", {}, ""))),
      h("tbody", {}, ...list.map((a) =>
        h("tr", { class: `sev-${a.severity_name} ${a.state}`, "data-id": a.id },
          td("#", {}, h("a", { href: `#/alerts/${a.id}` }, a.id)),
          td(t("severity"), {}, sev(a.severity_name)),
          td(t("state"), {}, stateName(a.state)),
          td(t("rule"), {}, a.rule),
          td(t("summary"), { class: "summary" }, a.summary),
          td(t("assignee"), { class: "assignee" }, a.assignee || ""),
          td(t("started"), {}, fmtTime(a.started_at)),
          td("", {}, a.state === "firing" && canAct("member")
            ? h("button", { class: "ack", onclick: () => act(a.id, "ack") }, t("ack")) : ""))))),
    list.length || groups ? null : h("p", {}, t("none")),
    groups ? null : h("p", { class: "pages" },
      f.before ? h("a", { href: filterHash({ ...f, before: "" }), class: "newest" }, t("newest")) : "", " ",
      list.length === PAGE ? h("a", { href: filterHash({ ...f, before: String(list[list.length - 1].id) }), class: "older" },
        t("older")) : ""));
  sevSel.addEventListener("change", () => {
    location.hash = filterHash({ ...f, q: search.value.trim(), severity: sevSel.value, before: "" });
  });
}

export async function alerts(f: AlertFilter): Promise<void> {
  const redraw = debounce(() => { if (!typing() && !page.querySelector("form.silence")) drawList(f).catch(() => undefined); });
  enterView(redraw);
  await drawList(f);
  whileShown(on("alerts", redraw));
  whileShown(on("resync", redraw));
}

// ---- one alert ----

type Json = unknown;

// A value of the detection's details, for people: numbers and text as they are, lists and
// objects as short "key: value" lines.
function show(v: Json): string {
  if (v === null || v === undefined) return "-";
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === "object" ? show(x) : String(x))).join(", ");
  return Object.entries(v as Record<string, Json>).map(([k, x]) => `${k}: ${show(x)}`).join("; ");
}

function ms(v: Json): string {
  const n = Number(v);
  return !Number.isFinite(n) ? "-" : n % 3600000 === 0 ? `${n / 3600000} h` : n % 60000 === 0 ? `${n / 60000} min` : `${n / 1000} s`;
}

// What the detection saw, as the API has it: the sample line and its parsed fields, the
// counts, the window and the threshold; for traffic, rates, peaks, top sources and ports
// (whatever the detector put under keepwatch.*).
function evidence(a: Alert): HTMLElement {
  const d = (a.details || {}) as Record<string, Json>;
  const kw = (d.keepwatch || {}) as Record<string, Json>;
  const ev = (d.event || {}) as Record<string, Json>;
  const row = (label: string, v: Json, cls = "") => h("tr", { class: cls }, h("th", {}, label), h("td", {}, show(v)));
  const known = new Set(["sample", "fields", "threshold", "within_ms", "group"]);
  const rows: HTMLElement[] = [];
  if (kw.sample !== undefined) rows.push(row(t("sample"), kw.sample, "sample"));
  if (kw.fields && typeof kw.fields === "object")
    for (const [k, v] of Object.entries(kw.fields as Record<string, Json>)) rows.push(row(`${t("fields")} · ${k}`, v, "field"));
  if (ev.count !== undefined) rows.push(row(t("count"), ev.count, "count"));
  if (kw.threshold !== undefined || a.threshold !== undefined) rows.push(row(t("threshold"), kw.threshold ?? a.threshold, "threshold"));
  if (kw.within_ms !== undefined) rows.push(row(t("window"), ms(kw.within_ms), "window"));
  if (ev.start) rows.push(row(t("covers"), `${fmtTime(String(ev.start))} – ${fmtTime(String(ev.end || ev.start))}`, "covers"));
  if (a.value !== undefined) rows.push(row(t("value"), a.value));
  if (a.peak !== undefined) rows.push(row(t("peak"), a.peak));
  for (const [k, v] of Object.entries(kw)) if (!known.has(k)) rows.push(row(k, v, "extra"));
  for (const k of ["source", "destination", "network", "threat", "url"])
    if (d[k] !== undefined) rows.push(row(k, d[k], "ecs"));
  const pts = (a.history || []).filter((x) => typeof x.value === "number").map((x) => [Date.parse(x.at), x.value as number]);
  const box = pts.length >= 2 ? h("div", { class: "chart", id: "value-chart" }) : null;
  if (box) window.setTimeout(() => { // once it is in the page: the value (rate, count) at each change, and the peak
    if (!box.isConnected) return;
    chart(box).setOption({ animation: false, grid: { left: 48, right: 12, top: 10, bottom: 24 }, tooltip: { trigger: "axis" },
      xAxis: { type: "time", axisLabel: { formatter: (v: number) => fmtTime(v).slice(11, 16) } }, yAxis: { type: "value", min: 0 },
      series: [{ name: t("value"), type: "line", step: "end", data: pts },
        ...(a.peak !== undefined ? [{ name: t("peak"), type: "line", data: [[pts[0][0], a.peak], [pts[pts.length - 1][0], a.peak]],
          lineStyle: { type: "dashed" }, showSymbol: false }] : [])] });
  }, 0);
  return h("div", { class: "evidence" }, h("h3", {}, t("evidence")),
    rows.length ? h("table", { class: "kv" }, h("tbody", {}, ...rows)) : h("p", {}, t("none")), box);
}

function deliveryState(s: string): string {
  return s === "sent" ? t("sent") : s === "failed" ? t("failedState") : s === "merged" ? t("merged") : s === "pending" ? t("pending") : s;
}

// Who was told, when, through which channel; the escalation reached; who acknowledged.
function notifications(a: Alert, n: Notifications): HTMLElement {
  return h("div", { class: "notifications" },
    h("p", { class: "acked-by" }, `${t("ackedBy")}: `, a.acked_by ? `${a.acked_by} (${fmtTime(a.acked_at)})` : t("notAckedYet")),
    ...n.groups.map((g) => h("p", { class: "escalation" }, t("levelReached", { p: g.policy, n: g.level, r: g.round + 1 }))),
    n.notifications.length ? h("table", { class: "sent" },
      h("thead", {}, h("tr", {}, h("th", {}, t("channel")), h("th", {}, t("kind")), h("th", {}, t("state")), h("th", {}, t("sentAt")),
        h("th", {}, t("recipients")), h("th", {}, t("level")))),
      h("tbody", {}, ...n.notifications.map((x) => h("tr", { "data-channel": x.channel },
        td(t("channel"), { class: "channel" }, x.channel), td(t("kind"), {}, kindName(x.kind)),
        td(t("state"), { class: "delivery" }, deliveryState(x.state), x.error ? ` (${x.error})` : ""),
        td(t("sentAt"), {}, fmtTime(x.sent || x.created)), td(t("recipients"), {}, x.people || "-"),
        td(t("level"), {}, x.level ?? "-"))))) : h("p", {}, t("noNotifications")));
}

async function drawDetail(id: number, keep: { note: string; comment: string; to: string }, again: () => void): Promise<void> {
  const g = viewGen();
  const [a, notes] = await Promise.all([api.get<Alert>(`/api/v1/alerts/${id}`),
    api.get<Notifications>(`/api/v1/alerts/${id}/notifications`).catch(() => null)]);
  if (g !== viewGen()) return;
  renderBar("alerts");
  const note = h("input", { class: "note", name: "note", placeholder: t("note"), value: keep.note }) as HTMLInputElement;
  const comment = h("textarea", { class: "comment", name: "comment", rows: 2, placeholder: t("comment") }) as HTMLTextAreaElement;
  comment.value = keep.comment;
  const to = h("input", { class: "to", name: "to", placeholder: t("assignTo"), value: keep.to }) as HTMLInputElement;
  note.addEventListener("input", () => { keep.note = note.value; });
  comment.addEventListener("input", () => { keep.comment = comment.value; });
  to.addEventListener("input", () => { keep.to = to.value; });
  const me = whoami();
  const open = a.state !== "resolved";
  const assign = async (name: string | null) => {
    await api.post(`/api/v1/alerts/${a.id}/assign`, { to: name }).then(() => { keep.to = ""; }).catch(failed);
    again();
  };
  const handle = async (what: "ack" | "resolve") => {
    await act(a.id, what, note.value);
    keep.note = "";
    again();
  };
  clear(page,
    h("h2", {}, `#${a.id} `, h("span", { class: `sev-${a.severity_name}` }, sev(a.severity_name)), " ",
      h("span", { class: "summary" }, a.summary)),
    h("dl", {},
      h("dt", {}, t("rule")), h("dd", {}, a.rule),
      h("dt", {}, t("state")), h("dd", { class: "state" }, stateName(a.state)),
      h("dt", {}, t("assignee")), h("dd", { class: "assignee" }, a.assignee || t("unassigned")),
      a.server ? h("dt", {}, t("server")) : null, a.server ? h("dd", { class: "server" }, a.server) : null,
      h("dt", {}, t("started")), h("dd", {}, fmtTime(a.started_at)),
      h("dt", {}, t("labels")), h("dd", {}, Object.entries(a.labels || {}).map(([k, v]) => `${k}=${v}`).join(", ")),
      a.details?.message ? h("dt", {}, t("detail")) : null,
      a.details?.message ? h("dd", { class: "message" }, String(a.details.message)) : null),
    open && canAct("member") ? h("p", { class: "actions" }, note,
      a.state === "firing" ? h("button", { class: "ack", onclick: () => handle("ack") }, t("ack")) : "",
      canAct("officer") ? h("button", { class: "resolve", onclick: () => handle("resolve") }, t("resolve")) : "") : null,
    open && canAct("member") ? h("p", { class: "assign" },
      me && a.assignee !== me.name ? h("button", { class: "take", onclick: () => assign(me.name) }, t("takeIt")) : "",
      canAct("officer") ? to : "",
      canAct("officer") ? h("button", { class: "assign", onclick: () => to.value.trim() && assign(to.value.trim()) }, t("assign")) : "",
      a.assignee && (canAct("officer") || a.assignee === me?.name)
        ? h("button", { class: "unassign", onclick: () => assign(null) }, t("unassign")) : "") : null,
    evidence(a),
    h("h3", {}, t("notifications")), notes ? notifications(a, notes) : h("p", {}, t("none")),
    open && canAct("officer") ? h("div", { class: "silence-box" }, h("h3", {}, t("silence")),
      silenceForm({ id: String(a.id) }, t("silenceAlert"), () => { location.hash = "#/silences"; }),
      silenceForm({ rule: a.rule }, t("silenceRule"), () => { location.hash = "#/silences"; })) : null,
    h("h3", {}, t("history")),
    h("ol", { class: "timeline" }, ...(a.history || []).map((x) =>
      h("li", { "data-action": x.action }, h("time", {}, fmtTime(x.at)), " ", h("b", { title: x.action }, kindName(x.action)), " ",
        h("span", { class: "actor" }, x.actor || ""), x.note ? h("span", { class: "text" }, ` — ${x.note}`) : ""))),
    canAct("member") ? h("form", { class: "addcomment", onsubmit: async (e: Event) => {
      e.preventDefault();
      if (!comment.value.trim()) return;
      await api.post(`/api/v1/alerts/${a.id}/comments`, { text: comment.value }).then(() => { keep.comment = ""; }).catch(failed);
      again();
    } }, comment, h("button", { type: "submit" }, t("addComment"))) : null);
}

export async function alertDetail(id: number): Promise<void> {
  const keep = { note: "", comment: "", to: "" }; // what is being typed survives a live redraw
  // a live change waits while someone is typing here, and is drawn when they leave the field
  let waiting = false;
  const typing = () => {
    const el = document.activeElement;
    return !!el && page.contains(el) && (el.tagName === "INPUT" || el.tagName === "TEXTAREA");
  };
  const now = () => { drawDetail(id, keep, now).catch(() => undefined); };
  const redraw = debounce(() => {
    if (typing()) waiting = true;
    else now();
  }, 100);
  enterView(now);
  await drawDetail(id, keep, now);
  const left = () => { if (waiting) { waiting = false; window.setTimeout(redraw, 0); } };
  page.addEventListener("focusout", left);
  whileShown(() => page.removeEventListener("focusout", left));
  whileShown(on("alerts", redraw));
  whileShown(on("resync", redraw));
}
