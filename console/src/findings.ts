// Findings (漏洞与隐患): the counts by severity and status and the burndown (/stats), the table
// of findings with its server-side filters, sort and pages (kept in the URL hash), and one
// finding: its fields, description, solution, references, evidence and history, with the
// moves its status allows. Everything from the API goes in as text (dom.ts: textContent).
import { api, ApiError } from "./api";
import { canAct, debounce, enterView, page, renderBar, typing, viewGen, whileShown, whoami } from "./app";
import { chart } from "./charts";
import { clear, fmtTime, h, td, zoneDayStart } from "./dom";
import { t, tAny } from "./i18n";
import { on } from "./live";

type Doc = Record<string, unknown>; // an ECS document with keepwatch.finding.* (flat dotted keys)

interface Burn { date: string; active: number; found: number; resolved: number }
type Counts = Record<string, number>;
interface Stats { by_severity: Record<string, Counts>; by_department: Record<string, Counts>; burndown: Burn[] }
interface History { at: string; actor?: string; action: string; from?: string; to?: string; note?: string }

const PAGE = 50;
const SEVERITIES = ["critical", "high", "medium", "low", "info"];
const ACTIVE = ["open", "assigned", "fixing", "reopened"];
const STATUSES = [...ACTIVE, "fixed", "verified", "accepted", "false_positive"];
const SORTS = ["risk", "due", "last_seen", "severity", "id"];
const KEYS = ["status", "severity", "department", "owner", "asset", "scanner", "text", "overdue", "not_seen", "sort",
  "offset"] as const;
export type FindingFilter = Record<(typeof KEYS)[number], string>;

export function findingFilterFrom(p: URLSearchParams): FindingFilter {
  const f = {} as FindingFilter;
  for (const k of KEYS) f[k] = p.get(k) || "";
  const off = Math.floor(Number(f.offset));
  f.offset = off > 0 ? String(off) : ""; // as typed into the address: a whole number, or none
  return f;
}

// The filter's non-empty fields as a query string (the hash and the API take the same).
function query(f: FindingFilter): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of KEYS) if (f[k]) p.set(k, f[k]);
  return p;
}

function hashOf(f: FindingFilter): string {
  const q = query(f).toString();
  return q ? `#/findings?${q}` : "#/findings";
}

const str = (d: Doc, k: string): string => (d[k] === undefined || d[k] === null ? "" : String(d[k]));
const statusName = (s: string) => tAny(`st_${s}`, s);
const sevName = (s: string) => (SEVERITIES.includes(s) ? tAny(s, s) : s); // never a key such as "constructor"

// "2026-12-05" in the console's zone.
function fmtDay(iso: string): string {
  return iso ? fmtTime(iso).slice(0, 10) : "-";
}

function overdue(d: Doc): boolean {
  const due = Date.parse(str(d, "keepwatch.finding.due"));
  return ACTIVE.includes(str(d, "keepwatch.finding.status")) && Number.isFinite(due) && due < Date.now();
}

// ---- the counts and the burndown ----

function sum(c: Counts | undefined, keys: string[]): number {
  return keys.reduce((n, k) => n + (c?.[k] ?? 0), 0);
}

function counts(s: Stats): HTMLElement {
  const cols = ["active", ...STATUSES, "overdue"];
  const cell = (c: Counts | undefined, k: string) => (k === "active" ? sum(c, ACTIVE) : c?.[k] ?? 0);
  const label = (k: string) => (k === "active" ? t("fActive") : k === "overdue" ? t("fOverdue") : statusName(k));
  const total: Counts = {};
  for (const k of [...STATUSES, "overdue"]) total[k] = SEVERITIES.reduce((n, v) => n + (s.by_severity[v]?.[k] ?? 0), 0);
  const row = (name: string, cls: string, c: Counts | undefined) => h("tr", { class: cls, "data-severity": name },
    td("", { class: "name" }, name === "total" ? t("fTotal") : sevName(name)),
    ...cols.map((k) => td(label(k), { class: `n-${k}` }, cell(c, k))));
  return h("table", { class: "fcounts" },
    h("thead", {}, h("tr", {}, h("th", {}, t("severity")), ...cols.map((k) => h("th", {}, label(k))))),
    h("tbody", {}, ...SEVERITIES.map((v) => row(v, `sev-${v}`, s.by_severity[v])), row("total", "total", total)));
}

function cards(s: Stats): HTMLElement {
  const all = (keys: string[]) => SEVERITIES.reduce((n, v) => n + sum(s.by_severity[v], keys), 0);
  const card = (id: string, label: string, n: number, href: string) =>
    h("a", { class: `card big ${id}`, href }, h("span", {}, label), h("b", { id: `n-${id}` }, n));
  return h("section", { class: "fcards" },
    card("active", t("fActive"), all(ACTIVE), "#/findings"),
    card("overdue", t("fOverdue"), all(["overdue"]), "#/findings?overdue=1&sort=due"),
    card("to-verify", t("fToVerify"), all(["fixed"]), "#/findings?status=fixed"));
}

let burnBox: HTMLElement | null = null;
let burnChart: ReturnType<typeof chart> | null = null;

// Active at each day's end as a line; found and resolved that day as bars.
function drawBurndown(b: Burn[]): void {
  if (!burnBox) return;
  if (!burnChart) burnChart = chart(burnBox);
  burnChart.setOption({
    animation: false, grid: { left: 48, right: 12, top: 28, bottom: 24 }, tooltip: { trigger: "axis" },
    legend: { top: 0, textStyle: { color: "#8aa0b2" } }, xAxis: { type: "category", data: b.map((x) => x.date.slice(5)) },
    yAxis: { type: "value", min: 0, splitLine: { lineStyle: { color: "#26323f" } } },
    series: [
      { name: t("fActive"), type: "line", data: b.map((x) => x.active), showSymbol: b.length < 2 },
      { name: t("fFound"), type: "bar", data: b.map((x) => x.found), itemStyle: { color: "#ff9e40" } },
      { name: t("fResolved"), type: "bar", data: b.map((x) => x.resolved), itemStyle: { color: "#5bd17a" } },
    ],
  });
}

// ---- the list ----

function filterForm(f: FindingFilter): HTMLElement {
  const opt = (v: string, label: string, on: boolean) => h("option", { value: v, selected: on }, label);
  const sel = (name: string, opts: HTMLElement[]) => h("select", { name }, ...opts) as HTMLSelectElement;
  const input = (name: string, ph: string, list = "") =>
    h("input", { name, value: f[name as keyof FindingFilter], placeholder: ph, list: list || undefined }) as HTMLInputElement;
  const check = (name: string, label: string) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name, checked: f[name as keyof FindingFilter] === "1" }), label);
  const form = h("form", { class: "filters ffilters" },
    sel("status", [opt("", t("fStActive"), !f.status), ...STATUSES.map((s) => opt(s, statusName(s), f.status === s)),
      opt("closed", t("fStClosed"), f.status === "closed"), opt("all", t("all"), f.status === "all")]),
    sel("severity", [opt("", t("anySeverity"), !f.severity), ...SEVERITIES.slice(0, 4).map((s) =>
      opt(s, `${sevName(s)} ${s === "critical" ? "" : t("atLeast")}`, f.severity === s))]),
    input("department", t("department"), "f-departments"),
    h("datalist", { id: "f-departments" }),
    input("owner", t("owner")), input("asset", t("asset")), input("scanner", t("scanner")),
    h("input", { type: "search", name: "text", value: f.text, placeholder: t("fSearch") }),
    check("overdue", t("fOverdueOnly")), check("not_seen", t("fNotSeenOnly")),
    sel("sort", SORTS.map((s) => opt(s === "risk" ? "" : s, tAny(`sort_${s}`, s), (f.sort || "risk") === s))),
    h("button", { type: "submit" }, t("searchBtn")));
  const apply = (e?: Event) => {
    e?.preventDefault();
    const data = new FormData(form as HTMLFormElement);
    const next = { ...f, offset: "" };
    for (const k of KEYS) if (k !== "offset") next[k] = String(data.get(k) ?? "").trim();
    for (const k of ["overdue", "not_seen"] as const) next[k] = data.get(k) ? "1" : "";
    location.hash = hashOf(next);
  };
  form.addEventListener("submit", apply);
  form.querySelectorAll("select, input[type=checkbox]").forEach((el) => el.addEventListener("change", () => apply()));
  return form;
}

function findingRow(d: Doc): HTMLElement {
  const id = str(d, "keepwatch.finding.id"), s = str(d, "vulnerability.severity"), st = str(d, "keepwatch.finding.status");
  const late = overdue(d);
  const gone = d["keepwatch.finding.not_seen"] === true;
  return h("tr", { class: `finding st-${st}${late ? " overdue" : ""}`, "data-id": id, "data-severity": s,
                   onclick: (e: Event) => { if (!(e.target as Element).closest("a")) location.hash = `#/findings/${id}`; } },
    td(t("risk"), { class: `risk sev-${s}` }, Number(d["keepwatch.finding.risk"] ?? 0).toFixed(1)),
    td(t("severity"), { class: `severity sev-${s}` }, sevName(s)),
    td(t("state"), { class: "status" }, statusName(st)),
    td(t("due"), { class: late ? "due bad" : "due" }, fmtDay(str(d, "keepwatch.finding.due"))),
    td(t("owner"), { class: "owner" }, str(d, "keepwatch.finding.owner") || "-"),
    td(t("department"), { class: "department" }, str(d, "keepwatch.finding.department") || "-"),
    td(t("vulnId"), { class: "vuln" }, str(d, "vulnerability.id")),
    td(t("asset"), { class: "asset" }, str(d, "keepwatch.finding.asset")),
    td(t("place"), { class: "place" }, str(d, "keepwatch.finding.place") || "-"),
    td(t("fTitle"), { class: "title" }, h("a", { href: `#/findings/${id}` }, str(d, "message") || str(d, "vulnerability.id"))),
    td("", { class: "seen" }, gone ? h("span", { class: "badge not-seen", title: t("notSeenHint") }, t("notSeen")) : ""));
}

function findingTable(list: Doc[]): HTMLElement {
  const cols = ["risk", "severity", "state", "due", "owner", "department", "vulnId", "asset", "place", "fTitle"] as const;
  return h("table", { class: "findings" },
    h("thead", {}, h("tr", {}, ...cols.map((c) => h("th", {}, t(c))), h("th", {}, ""))),
    h("tbody", {}, ...list.map(findingRow)));
}

function pages(f: FindingFilter, total: number, shown: number): HTMLElement {
  const off = Number(f.offset) || 0;
  return h("p", { class: "pages" },
    h("span", { class: "range" }, t("fRange", { a: shown ? off + 1 : 0, b: off + shown, n: total })), " ",
    off > 0 ? h("a", { class: "prev", href: hashOf({ ...f, offset: off > PAGE ? String(off - PAGE) : "" }) }, t("prevPage")) : "", " ",
    off + shown < total ? h("a", { class: "next", href: hashOf({ ...f, offset: String(off + PAGE) }) }, t("nextPage")) : "");
}

let lastStats: Stats | null = null; // the counts last fetched: shown at once while new ones come

// The counts and the burndown into top; the filter form's departments from them.
function fillStats(top: HTMLElement, s: Stats): void {
  if (!burnBox) burnBox = h("div", { class: "chart wide", id: "burndown-chart" });
  clear(top, cards(s),
    h("section", { class: "grid" },
      h("div", { class: "panel" }, h("h3", {}, t("fCounts")), counts(s)),
      h("div", { class: "panel" }, h("h3", {}, t("fBurndown")), burnBox)));
  drawBurndown(s.burndown);
  const depts = Object.keys(s.by_department).filter((d) => d !== "(none)");
  document.getElementById("f-departments")?.replaceChildren(...depts.map((d) => h("option", { value: d })));
}

// The table is drawn as soon as its page comes; the counts (a walk over every finding) are
// asked for then, so they do not hold the page's answer up on a busy server.
async function drawList(f: FindingFilter): Promise<void> {
  const g = viewGen();
  const q = query(f);
  q.set("limit", String(PAGE));
  const list = await api.get<{ total: number; findings: Doc[] }>(`/api/v1/findings?${q}`);
  if (g !== viewGen()) return;
  renderBar("findings");
  const me = whoami();
  const top = h("div", { class: "fstats" });
  clear(page, top,
    h("h2", { class: "ftitle" }, t("findings")),
    filterForm(f),
    me ? h("p", { class: "views" }, h("a", { href: hashOf({ ...f, owner: f.owner === me.name ? "" : me.name, offset: "" }),
      class: f.owner === me.name ? "on mine" : "mine" }, t("mine"))) : null,
    list.findings.length ? findingTable(list.findings) : h("p", { class: "empty" }, t("none")),
    pages(f, list.total, list.findings.length));
  if (lastStats) fillStats(top, lastStats);
  const s = await api.get<Stats>("/api/v1/findings/stats").catch(() => null); // after: the table does not wait
  if (g !== viewGen() || !s) return;
  lastStats = s;
  fillStats(top, s);
}

export async function findings(f: FindingFilter): Promise<void> {
  burnBox = null;
  burnChart = null;
  const redraw = debounce(() => { if (!typing()) drawList(f).catch(() => undefined); }, 2000); // alerts write duty entries too
  enterView(redraw);
  await drawList(f);
  whileShown(on("duty", redraw)); // every status change is a duty-log entry
  whileShown(on("resync", redraw));
}

// ---- one finding ----

// References (separated by white space, a list's commas dropped) as links when they are http
// or https URLs, else as text.
function references(text: string): HTMLElement {
  const items = text.split(/\s+/).map((r) => r.replace(/[,;]+$/, "")).filter(Boolean).map((r) => {
    let u: URL | null = null;
    try { u = new URL(r); } catch { /* not a URL: text */ }
    return u && (u.protocol === "http:" || u.protocol === "https:")
      ? h("li", {}, h("a", { href: u.href, target: "_blank", rel: "noopener noreferrer" }, r)) : h("li", {}, r);
  });
  return h("ul", { class: "refs" }, ...items);
}

function fields(d: Doc): HTMLElement {
  const rows: [string, string, string][] = [];
  const add = (cls: string, label: string, v: string) => { if (v) rows.push([cls, label, v]); };
  const k = (x: string) => str(d, `keepwatch.finding.${x}`);
  const gone = d["keepwatch.finding.not_seen"] === true && ACTIVE.includes(k("status")); // a closed one needs no look
  add("status", t("state"), statusName(k("status")) + (gone ? ` · ${t("notSeenHint")}` : ""));
  add("risk", t("risk"), Number(d["keepwatch.finding.risk"] ?? 0).toFixed(1) +
    (d["keepwatch.finding.known_exploited"] === true ? ` · ${t("kev")}` : ""));
  add("severity", t("severity"), sevName(str(d, "vulnerability.severity")));
  add("score", t("score"), str(d, "vulnerability.score.base"));
  add("vector", t("vector"), k("vector"));
  add("vuln", t("vulnId"), str(d, "vulnerability.id"));
  add("category", t("category"), str(d, "vulnerability.category"));
  add("asset", t("asset"), k("asset"));
  add("place", t("place"), k("place"));
  add("host", t("host"), [str(d, "host.name"), str(d, "host.ip")].filter(Boolean).join(" "));
  add("port", t("port"), d["destination.port"] ? `${str(d, "network.transport") || "tcp"}/${str(d, "destination.port")}` : "");
  add("service", t("service"), str(d, "service.name"));
  add("url", t("url"), str(d, "url.full"));
  add("parameter", t("parameter"), k("parameter"));
  add("file", t("file"), str(d, "file.path") + (k("line") ? `:${k("line")}` : ""));
  add("package", t("pkg"), [str(d, "package.name"), str(d, "package.version")].filter(Boolean).join(" "));
  add("fixed", t("fixedIn"), k("fixed_version"));
  add("scanner", t("scanner"), str(d, "vulnerability.scanner.vendor"));
  add("owner", t("owner"), k("owner") || t("unassigned"));
  add("department", t("department"), k("department"));
  add(overdue(d) ? "due bad" : "due", t("due"), k("due") ? fmtTime(k("due")) : "");
  add("accepted-until", t("acceptedUntil"), k("accepted_until") ? fmtTime(k("accepted_until")) : "");
  add("reason", t("why"), k("reason") + (k("by") ? ` (${k("by")})` : ""));
  add("first-seen", t("fFirstSeen"), fmtTime(k("first_seen")));
  add("last-seen", t("fLastSeen"), fmtTime(k("last_seen")));
  add("status-changed", t("fStatusChanged"), fmtTime(k("status_changed")));
  return h("dl", { class: "finding" }, ...rows.flatMap(([cls, label, v]) => [h("dt", {}, label), h("dd", { class: cls }, v)]));
}

type Move = "assign" | "start" | "fix" | "accept" | "false_positive" | "reopen" | "verify";
type Field = "owner" | "department" | "due" | "reason" | "until" | "note";

// The moves a status allows (findings_state.c, finding_move_to) and the role each needs.
function movesFor(status: string): Move[] {
  if (ACTIVE.includes(status))
    return ["assign", ...(status === "fixing" ? [] : ["start" as Move]), "fix", "accept", "false_positive"];
  if (status === "fixed") return ["verify", "reopen", "accept", "false_positive"];
  if (status === "accepted") return ["reopen", "accept", "false_positive"];
  if (status === "verified") return ["reopen", "false_positive"];
  return ["reopen"];
}

const MEMBER_MOVES: Move[] = ["start", "fix", "reopen"];
const FIELDS: Record<Move, Field[]> = {
  assign: ["owner", "department", "due"], accept: ["reason", "until"], false_positive: ["reason"],
  start: ["note"], fix: ["note"], reopen: ["note"], verify: ["note"],
};

// A date typed in the form as midnight of that day in the console's zone (as the CLI reads
// YYYY-MM-DD in its own); noon UTC of the date falls on that date in zones within 12 h.
function dayMs(v: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  return m ? zoneDayStart(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12)) : undefined;
}

interface Keep { move: Move | ""; values: Partial<Record<Field, string>>; error: string }

function moveBody(m: Move, v: Keep["values"]): Record<string, string | number> {
  const body: Record<string, string | number> = {};
  for (const f of FIELDS[m]) {
    const x = (v[f] || "").trim();
    if (!x) continue;
    if (f === "due" || f === "until") body[f] = dayMs(x) ?? x;
    else body[f] = x;
  }
  return body;
}

function moveForm(id: string, keep: Keep, again: () => void): HTMLElement | null {
  const m = keep.move;
  if (!m) return null;
  const ph: Record<Field, string> = { owner: t("fOwner"), department: t("fDept"), due: t("fDueDate"), reason: t("reason"),
    until: t("fUntil"), note: m === "verify" ? t("fNoteVerify") : t("fNote") };
  const inputs = FIELDS[m].map((f) => {
    const el = h("input", { name: f, class: `f-${f}`, type: f === "due" || f === "until" ? "date" : "text",
      placeholder: ph[f], title: ph[f], value: keep.values[f] || "", required: ["owner", "reason", "until"].includes(f) }) as HTMLInputElement;
    el.addEventListener("input", () => { keep.values[f] = el.value; });
    return h("label", {}, h("span", {}, ph[f]), el);
  });
  const form = h("form", { class: `move-form move-${m}` }, h("b", {}, tAny(`mv_${m}`, m)), ...inputs,
    h("button", { type: "submit", class: "confirm" }, t("confirm")),
    h("button", { type: "button", class: "cancel", onclick: () => { keep.move = ""; keep.error = ""; again(); } }, t("cancel")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api.post(`/api/v1/findings/${id}/${m}`, moveBody(m, keep.values));
      keep.move = "";
      keep.values = {};
      keep.error = "";
    } catch (err) {
      keep.error = (err as ApiError).status === 403 ? t("forbidden") : (err as Error).message;
    }
    again();
  });
  return form;
}

function moves(d: Doc, keep: Keep, again: () => void): HTMLElement {
  const id = str(d, "keepwatch.finding.id");
  const allowed = movesFor(str(d, "keepwatch.finding.status"))
    .filter((m) => canAct(MEMBER_MOVES.includes(m) ? "member" : "officer"));
  return h("div", { class: "moves" },
    h("p", { class: "actions" }, ...allowed.map((m) => h("button", {
      class: `mv mv-${m}${keep.move === m ? " on" : ""}`, "data-move": m,
      onclick: () => { keep.move = m; keep.error = ""; again(); } }, tAny(`mv_${m}`, m)))),
    allowed.includes(keep.move as Move) ? moveForm(id, keep, again) : null, // refused as it changed: the error stays
    keep.error ? h("p", { class: "bad move-error", role: "alert" }, t("fRefused", { msg: keep.error })) : null);
}

function history(list: History[]): HTMLElement {
  return h("ol", { class: "timeline fhistory" }, ...list.map((x) =>
    h("li", { "data-action": x.action }, h("time", {}, fmtTime(x.at)), " ", h("b", { title: x.action }, tAny(`fa_${x.action}`, x.action)),
      " ", h("span", { class: "actor" }, x.actor || ""),
      x.from && x.to && x.from !== x.to ? h("span", { class: "change" }, ` ${statusName(x.from)} → ${statusName(x.to)}`) : "",
      x.note ? h("span", { class: "text" }, ` — ${x.note}`) : "")));
}

function section(title: string, cls: string, body: Node | null): HTMLElement | null {
  return body ? h("section", { class: `fsection ${cls}` }, h("h3", {}, title), body) : null;
}

async function drawDetail(id: number, keep: Keep, again: () => void): Promise<void> {
  const g = viewGen();
  const d = await api.get<Doc>(`/api/v1/findings/${id}`);
  if (g !== viewGen()) return;
  renderBar("findings");
  const text = (k: string, cls: string) => (str(d, k) ? h("p", { class: cls }, str(d, k)) : null);
  const sv = str(d, "vulnerability.severity");
  clear(page,
    h("p", { class: "back" }, h("a", { href: "#/findings" }, `← ${t("findings")}`)),
    h("h2", {}, `#${id} `, h("span", { class: `sev-${sv}` }, sevName(sv)), " ",
      h("span", { class: "vuln" }, str(d, "vulnerability.id")), " ", h("span", { class: "summary" }, str(d, "message"))),
    fields(d),
    moves(d, keep, again),
    section(t("fDescription"), "description", text("vulnerability.description", "description")),
    section(t("fSolution"), "solution", text("keepwatch.finding.solution", "solution")),
    section(t("fReferences"), "references", str(d, "vulnerability.reference") ? references(str(d, "vulnerability.reference")) : null),
    section(t("matched"), "matched", str(d, "keepwatch.finding.text") ? h("pre", { class: "matched" }, str(d, "keepwatch.finding.text")) : null),
    section(t("fEvidence"), "evidence", h("pre", { class: "evidence" }, str(d, "keepwatch.finding.evidence") || "-")),
    section(t("fHistory"), "history", history((d["keepwatch.finding.history"] as History[]) || [])));
}

export async function findingDetail(id: number): Promise<void> {
  const keep: Keep = { move: "", values: {}, error: "" }; // what is being typed survives a redraw
  const now = () => { drawDetail(id, keep, now).catch(() => undefined); };
  const redraw = debounce(() => { if (!typing() && !keep.move) now(); }, 300);
  enterView(now);
  await drawDetail(id, keep, now);
  whileShown(on("duty", redraw));
  whileShown(on("resync", redraw));
}
