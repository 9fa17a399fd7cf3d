// Incidents (事件处置): the open incidents first, then the closed ones, each with its grade,
// drill mark, steps finished and the next step's clock; declaring one from a playbook; one
// incident: its facts, the steps as a checklist by phase (owner, due time, a clock that runs
// every second, the moves a pending step allows), the timeline, the attached alerts, notes,
// the grade, the close with its review and the report links. Everything from the API goes
// in as text (dom.ts: textContent); the API's refusals are shown where they happened.
import { api, ApiError } from "./api";
import { canAct, debounce, enterView, page, renderBar, typing, viewGen, whileShown } from "./app";
import { clear, fmtTime, h, td } from "./dom";
import { incidentText, lang, sev, t, tAny } from "./i18n";
import { on } from "./live";

interface Incident {
  id: number; title: string; playbook: string; playbook_digest?: string; category?: string; subcategory?: string;
  category_name?: ClassName | null; subcategory_name?: ClassName | null;
  next_step?: { name: string; title?: string; title_zh?: string; due_ms: number } | null;
  grade: string; grade_zh?: string; state: string; drill: boolean; found?: string; found_ms: number;
  declared?: string; declared_ms: number; declared_by?: string; trigger?: string; key?: string;
  contained?: string; contained_ms: number; closed?: string; closed_ms: number; closed_by?: string;
  cause?: string; impact?: string; lessons?: string; summary?: string; systems?: string; org_type?: string;
  steps: number; steps_finished: number;
}
interface Step {
  position: number; name: string; phase: string; title?: string; title_zh?: string; instructions?: string;
  instructions_zh?: string; owner_spec?: string; owner?: string; owner_department?: string; fallback?: string;
  report?: string; due_ms: number; state: string; done_ms: number; done_by?: string; note?: string;
  notified_ms: number; overdue_ms: number;
}
interface IncAlert { alert: number; attached_ms: number; rule?: string; summary?: string; severity: number; state?: string }
interface IncEvent { ts_ms: number; kind: string; actor?: string; step?: string; alert: number; text?: string }
interface Detail { incident: Incident; steps: Step[]; alerts: IncAlert[]; timeline: IncEvent[] }
interface ClassName { zh: string; en: string }
interface Playbook { name: string; title?: string; title_zh?: string; category?: string; grade: string; steps: number }
interface PlaybookWhole { phases: { phase: string; steps: { name: string; needs: string[] }[] }[] }

const GRADES = ["I", "II", "III", "IV"];
const ROMAN: Record<string, string> = { I: "Ⅰ", II: "Ⅱ", III: "Ⅲ", IV: "Ⅳ" };
const PHASES = ["confirm", "contain", "eradicate", "recover", "report"];
const FINISHED = ["done", "skipped"];
const CLOSED_NOTE = "closed with the incident"; // what the close writes on the steps it skips (store_incident.c)
const AUDIENCES = ["regulator", "security", "operations", "business", "customer_service", "management"];
const FORMATS = ["html", "md", "pdf"];
// GB/T 20986-2023's categories (src/incident/incident_class.c)

const zh = () => lang() === "zh";
const gradeName = (g: string) => (GRADES.includes(g) ? `${ROMAN[g]} ${tAny(`ig_${g}`, g)}` : g);
const stateName = (s: string) => tAny(`is_${s}`, s);
const stepState = (s: string) => tAny(`iss_${s}`, s);
const phaseName = (p: string) => (PHASES.includes(p) ? tAny(`ip_${p}`, p) : p);
const eventName = (k: string) => tAny(`ie_${k}`, k);
// A GB/T 20986-2023 class as the API names it: "DS 数据安全事件".
const className = (c: string | undefined, n?: ClassName | null) =>
  c ? (n ? `${c} ${zh() ? n.zh : n.en}` : c) : "-";
const stepTitle = (s: Step) => (zh() ? s.title_zh || s.title : s.title || s.title_zh) || s.name;
const stepDo = (s: Step) => (zh() ? s.instructions_zh || s.instructions : s.instructions || s.instructions_zh) || "";
const pbTitle = (p: Playbook) => (zh() ? p.title_zh || p.title : p.title || p.title_zh) || p.name;
const alertState = (s?: string) => (s === "firing" || s === "acked" || s === "resolved" ? t(s) : s || "-");
const when = (ms: number) => (ms > 0 ? fmtTime(ms) : "-");

// "1:02:03", "12:34", or with days: "2天 3:04:05" / "2d 3:04:05".
function span(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000), d = Math.floor(s / 86400);
  const p2 = (n: number) => String(n).padStart(2, "0");
  const hms = `${Math.floor(s / 3600) % 24}:${p2(Math.floor(s / 60) % 60)}:${p2(s % 60)}`;
  return d ? `${d}${t("iDays")} ${hms}` : hms;
}

// A clock to a due time: the time left, or how late (red). Redrawn every second by tick().
function clock(due: number): HTMLElement {
  const el = h("span", { class: "clock", "data-due": due });
  setClock(el, Date.now());
  return el;
}

function setClock(el: HTMLElement, now: number): void {
  const left = Number(el.dataset.due) - now;
  el.textContent = left >= 0 ? t("iLeft", { d: span(left) }) : t("iLate", { d: span(left) });
  el.classList.toggle("late", left < 0);
}

// Every clock in the page, once a second while the view is shown.
function runClocks(): void {
  const timer = window.setInterval(() => {
    const now = Date.now();
    page.querySelectorAll<HTMLElement>("span.clock").forEach((el) => setClock(el, now));
  }, 1000);
  whileShown(() => window.clearInterval(timer));
}

// The pending step due first.
function nextDue(steps: Step[]): Step | undefined {
  return steps.filter((s) => s.state === "pending" && s.due_ms > 0).sort((a, b) => a.due_ms - b.due_ms)[0];
}

function refusal(e: unknown): string {
  return (e as ApiError).status === 403 ? t("forbidden") : t("fRefused", { msg: (e as Error).message });
}

function drillMark(i: Incident): HTMLElement | null {
  return i.drill ? h("span", { class: "drill" }, t("iDrillMark")) : null;
}

// A labelled field of a form: its input, select or text area under its name.
function field(label: string, el: HTMLElement): HTMLElement {
  return h("label", {}, h("span", {}, label), el);
}

// ---- the list ----

export interface IncidentFilter { state: string; drill: string }

export function incidentFilterFrom(p: URLSearchParams): IncidentFilter {
  const state = p.get("state") || "", drill = p.get("drill") || "";
  return { state: ["open", "closed"].includes(state) ? state : "", drill: ["0", "1"].includes(drill) ? drill : "" };
}

function hashOf(f: IncidentFilter): string {
  const p = new URLSearchParams();
  if (f.state) p.set("state", f.state);
  if (f.drill) p.set("drill", f.drill);
  return p.toString() ? `#/incidents?${p}` : "#/incidents";
}

function filterForm(f: IncidentFilter): HTMLElement {
  const opt = (v: string, label: string, on: boolean) => h("option", { value: v, selected: on }, label);
  const state = h("select", { name: "state" }, opt("", t("iAllStates"), !f.state), opt("open", stateName("open"), f.state === "open"),
    opt("closed", stateName("closed"), f.state === "closed")) as HTMLSelectElement;
  const drill = h("select", { name: "drill" }, opt("", t("iDrillAny"), !f.drill), opt("0", t("iDrillNo"), f.drill === "0"),
    opt("1", t("iDrillOnly"), f.drill === "1")) as HTMLSelectElement;
  const apply = () => { location.hash = hashOf({ state: state.value, drill: drill.value }); };
  state.addEventListener("change", apply);
  drill.addEventListener("change", apply);
  return h("form", { class: "filters ifilters", onsubmit: (e: Event) => { e.preventDefault(); apply(); } }, state, drill);
}

function incidentRow(i: Incident, next: Step | undefined): HTMLElement {
  const open = i.state === "open";
  return h("tr", { class: `incident is-${i.state}${i.drill ? " drill" : ""}`, "data-id": i.id,
                   onclick: (e: Event) => { if (!(e.target as Element).closest("a")) location.hash = `#/incidents/${i.id}`; } },
    td("#", { class: "id" }, h("a", { href: `#/incidents/${i.id}` }, i.id)),
    td(t("iTitle"), { class: "title" }, drillMark(i), i.title || "-"),
    td(t("iGrade"), { class: `grade grade-${i.grade}` }, gradeName(i.grade)),
    td(t("iPlaybook"), { class: "playbook" }, i.playbook || "-"),
    td(t("iDeclared"), { class: "declared" }, when(i.declared_ms)),
    td(t("iSteps"), { class: "progress" }, `${i.steps_finished}/${i.steps}`),
    td(t("iNext"), { class: "next" }, open && next ? h("span", {}, h("span", { class: "next-step" }, stepTitle(next)), " ",
      clock(next.due_ms)) : open ? "-" : `${stateName(i.state)} ${when(i.closed_ms)}`));
}

function incidentTable(list: Incident[], next: Map<number, Step | undefined>, cls: string): HTMLElement {
  const cols = ["#", t("iTitle"), t("iGrade"), t("iPlaybook"), t("iDeclared"), t("iSteps"), t("iNext")];
  return h("table", { class: `incidents ${cls}` }, h("thead", {}, h("tr", {}, ...cols.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...list.map((i) => incidentRow(i, next.get(i.id)))));
}

interface Declare { shown: boolean; values: Record<string, string>; error: string }

// The declaration form: a playbook, its grade (the playbook's by default), title, summary,
// systems, drill; the new incident's page once declared.
function declareForm(pbs: Playbook[], keep: Declare, again: () => void): HTMLElement {
  const v = keep.values;
  const pb = h("select", { name: "playbook", required: true }, ...pbs.map((p) =>
    h("option", { value: p.name, selected: v.playbook === p.name }, `${pbTitle(p)} (${p.name})`))) as HTMLSelectElement;
  const grade = h("select", { name: "grade" }, ...GRADES.map((g) => h("option", { value: g, selected: v.grade === g },
    gradeName(g)))) as HTMLSelectElement;
  const dflt = () => { grade.value = pbs.find((p) => p.name === pb.value)?.grade || "IV"; v.grade = grade.value; };
  if (!v.grade) dflt();
  pb.addEventListener("change", dflt);
  const text = (name: string, area = false) => {
    const el = h(area ? "textarea" : "input", { name, rows: area ? 2 : undefined, required: name === "title" }) as
      HTMLInputElement;
    el.value = v[name] || "";
    return el;
  };
  const drill = h("input", { type: "checkbox", name: "drill", checked: v.drill === "1" }) as HTMLInputElement;
  const form = h("form", { class: "iform declare" }, h("b", {}, t("iDeclare")),
    field(t("iPlaybook"), pb), field(t("iGrade"), grade), field(t("iTitle"), text("title")),
    field(t("summary"), text("summary", true)), field(t("iSystems"), text("systems")),
    h("label", { class: "check" }, drill, t("iDrill")),
    h("button", { type: "submit", class: "confirm" }, t("iDeclare")),
    h("button", { type: "button", class: "cancel", onclick: () => { keep.shown = false; keep.error = ""; again(); } }, t("cancel")),
    keep.error ? h("p", { class: "bad form-error", role: "alert" }, keep.error) : null);
  form.addEventListener("input", () => {
    const d = new FormData(form as HTMLFormElement);
    for (const k of ["playbook", "grade", "title", "summary", "systems"]) v[k] = String(d.get(k) ?? "");
    v.drill = drill.checked ? "1" : "";
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { playbook: pb.value, grade: grade.value, title: v.title?.trim() || undefined,
      summary: v.summary?.trim() || undefined, systems: v.systems?.trim() || undefined, drill: drill.checked };
    try {
      const r = await api.post<Detail>("/api/v1/incidents", body);
      keep.shown = false;
      keep.values = {};
      keep.error = "";
      location.hash = `#/incidents/${r.incident.id}`;
    } catch (err) {
      keep.error = refusal(err);
      again();
    }
  });
  return form;
}

async function fetchList(f: IncidentFilter, state: string): Promise<Incident[]> {
  const q = new URLSearchParams({ state, limit: "200" });
  if (f.drill) q.set("drill", f.drill);
  return (await api.get<{ incidents: Incident[] }>(`/api/v1/incidents?${q}`)).incidents;
}

async function drawList(f: IncidentFilter, keep: Declare, again: () => void): Promise<void> {
  const g = viewGen();
  const [open, closed, pbs] = await Promise.all([f.state === "closed" ? [] : fetchList(f, "open"),
    f.state === "open" ? [] : fetchList(f, "closed"),
    canAct("officer") ? api.get<{ playbooks: Playbook[] }>("/api/v1/playbooks").then((r) => r.playbooks).catch(() => []) : []]);
  // the listing names each incident's pending step due first
  const next = new Map<number, Step | undefined>();
  for (const i of open) if (i.next_step) next.set(i.id, i.next_step as unknown as Step);
  if (g !== viewGen()) return;
  renderBar("incidents");
  const section = (title: string, list: Incident[], cls: string) => h("section", { class: `isection ${cls}` },
    h("h3", {}, `${title} (${list.length})`), list.length ? incidentTable(list, next, cls) : h("p", { class: "empty" }, t("none")));
  clear(page,
    h("h2", {}, t("incidents")),
    h("div", { class: "itools" }, filterForm(f), canAct("officer") && pbs.length && !keep.shown
      ? h("button", { class: "declare", onclick: () => { keep.shown = true; again(); } }, t("iDeclare")) : null),
    keep.shown && pbs.length ? declareForm(pbs, keep, again) : null,
    f.state !== "closed" ? section(t("iOpenOnes"), open, "open") : null,
    f.state !== "open" ? section(t("iClosedOnes"), closed, "closed") : null);
}

export async function incidents(f: IncidentFilter): Promise<void> {
  const keep: Declare = { shown: false, values: {}, error: "" };
  const now = () => { drawList(f, keep, now).catch(() => undefined); };
  const redraw = debounce(() => { if (!typing() && !keep.shown) now(); }, 1000);
  enterView(now);
  await drawList(f, keep, now);
  runClocks();
  whileShown(on("duty", redraw)); // every change to an incident is a duty-log entry
  whileShown(on("resync", redraw));
}

// ---- one incident ----

type Move = "done" | "skip" | "assign";
interface Keep {
  step: string; move: Move | ""; value: string; error: string; errorStep: string; // a step's form and refusal
  note: string; grade: string; reason: string; alert: string; close: Record<string, string>; closing: boolean;
  formError: Record<string, string>; // a form's refusal, by form
}

function facts(i: Incident): HTMLElement {
  const rows: [string, string, string | Node][] = [
    ["type", t("iType"), `${className(i.category, i.category_name)}${i.subcategory ? ` / ${className(i.subcategory, i.subcategory_name)}` : ""}`],
    ["grade", t("iGrade"), gradeName(i.grade)],
    ["state", t("state"), stateName(i.state)],
    ["playbook", t("iPlaybook"), i.playbook + (i.playbook_digest ? ` · ${i.playbook_digest.slice(0, 12)}` : "")],
    ["found", t("iFound"), when(i.found_ms)],
    ["declared", t("iDeclared"), when(i.declared_ms) + (i.declared_by ? ` · ${i.declared_by}` : "")],
    ["systems", t("iSystems"), i.systems || "-"],
    ["contained", t("iContained"), when(i.contained_ms)],
    ["closed", t("iClosed"), when(i.closed_ms) + (i.closed_by ? ` · ${i.closed_by}` : "")],
  ];
  if (i.trigger) rows.push(["trigger", t("iTrigger"), i.trigger + (i.key ? ` · ${i.key}` : "")]);
  if (i.summary) rows.push(["summary", t("summary"), i.summary]);
  for (const k of ["cause", "impact", "lessons"] as const) if (i[k]) rows.push([k, tAny(`iR_${k}`, k), i[k] as string]);
  return h("dl", { class: "incident" }, ...rows.flatMap(([cls, label, v]) => [h("dt", {}, label), h("dd", { class: cls }, v)]));
}

function stepForm(id: number, s: Step, keep: Keep, again: () => void): HTMLElement | null {
  if (keep.step !== s.name || !keep.move) return null;
  const m = keep.move;
  const ph = m === "done" ? t("iNoteOpt") : m === "skip" ? t("iReasonReq") : t("iTargetHint");
  const input = h("input", { name: m === "done" ? "note" : m === "skip" ? "reason" : "target", class: `i-${m}`,
    value: keep.value, required: m !== "done" }) as HTMLInputElement;
  input.addEventListener("input", () => { keep.value = input.value; });
  const form = h("form", { class: `step-form move-${m}` }, field(ph, input),
    h("button", { type: "submit", class: "confirm" }, t("confirm")),
    h("button", { type: "button", class: "cancel", onclick: () => { keep.move = ""; keep.value = ""; again(); } }, t("cancel")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const v = keep.value.trim();
    const body = m === "done" ? (v ? { note: v } : {}) : m === "skip" ? { reason: v } : { target: v };
    try {
      await api.post(`/api/v1/incidents/${id}/steps/${encodeURIComponent(s.name)}/${m}`, body);
      keep.move = "";
      keep.value = "";
      keep.error = "";
    } catch (err) {
      keep.error = refusal(err);
      keep.errorStep = s.name;
    }
    again();
  });
  return form;
}

function stepItem(id: number, s: Step, open: boolean, needs: string[], keep: Keep, again: () => void): HTMLElement {
  const pending = s.state === "pending";
  const late = pending && s.due_ms > 0 && s.due_ms < Date.now();
  const moves: Move[] = open && pending ? ["done", "skip", ...(canAct("officer") ? ["assign" as Move] : [])] : [];
  const owner = [s.owner, s.owner_department].filter(Boolean).join(" · ") || t("iNoOwner");
  return h("li", { class: `step st-${s.state}${late ? " late" : ""}`, "data-step": s.name, "data-state": s.state },
    h("div", { class: "step-head" },
      h("span", { class: "tick", "aria-hidden": "true" }, s.state === "done" ? "☑" : s.state === "skipped" ? "⊘" : s.state === "na" ? "–" : "☐"),
      h("b", { class: "step-title" }, stepTitle(s)), " ", h("code", { class: "step-name" }, s.name), " ",
      h("span", { class: `step-state` }, stepState(s.state)),
      s.report && s.report !== "none" ? h("span", { class: "badge report" }, tAny(`iRep_${s.report}`, s.report)) : null),
    h("div", { class: "step-meta" },
      h("span", { class: "owner" }, `${t("owner")}: ${owner}`),
      s.owner_spec ? h("span", { class: "owner-spec" }, ` (${s.owner_spec})`) : null,
      s.fallback ? h("span", { class: "fallback", title: s.fallback }, ` ${t("iFallback", { why: s.fallback })}`) : null,
      h("span", { class: "due" }, ` · ${t("due")}: ${when(s.due_ms)} `),
      pending && s.due_ms > 0 ? clock(s.due_ms) : null,
      FINISHED.includes(s.state) ? h("span", { class: "done-at" }, ` · ${when(s.done_ms)}${s.done_by ? ` ${s.done_by}` : ""}`) : null,
      pending && needs.length ? h("span", { class: "needs" }, ` · ${t("iNeeds", { n: needs.join(", ") })}`) : null),
    stepDo(s) ? h("p", { class: "do" }, stepDo(s)) : null,
    s.note ? h("p", { class: "step-note" }, `${s.state === "skipped" ? t("iSkipWhy") : t("note")}: ${s.note === CLOSED_NOTE ? t("iClosedWith") : s.note}`) : null,
    moves.length ? h("p", { class: "actions" }, ...moves.map((m) => h("button", {
      class: `mv mv-${m}${keep.step === s.name && keep.move === m ? " on" : ""}`, "data-move": m,
      onclick: () => { keep.step = s.name; keep.move = m; keep.value = ""; keep.error = ""; again(); } }, tAny(`iMv_${m}`, m))))
      : null,
    moves.length ? stepForm(id, s, keep, again) : null,
    keep.error && keep.errorStep === s.name ? h("p", { class: "bad step-error", role: "alert" }, keep.error) : null);
}

function checklist(d: Detail, needs: Map<string, string[]>, keep: Keep, again: () => void): HTMLElement {
  const open = d.incident.state === "open";
  const phases = [...PHASES, ...d.steps.map((s) => s.phase).filter((p) => !PHASES.includes(p))];
  const groups = [...new Set(phases)].map((p) => [p, d.steps.filter((s) => s.phase === p)] as const).filter(([, l]) => l.length);
  return h("div", { class: "checklist" }, ...groups.map(([p, list]) => h("section", { class: `phase ph-${p}`, "data-phase": p },
    h("h4", {}, phaseName(p), " ", h("span", { class: "count" },
      `${list.filter((s) => FINISHED.includes(s.state)).length}/${list.filter((s) => s.state !== "na").length}`)),
    h("ol", { class: "steps" }, ...list.map((s) => stepItem(d.incident.id, s, open, needs.get(s.name) || [], keep, again))))));
}

function timeline(d: Detail): HTMLElement {
  return h("ol", { class: "timeline itimeline" }, ...d.timeline.map((e) =>
    h("li", { "data-kind": e.kind }, h("time", {}, when(e.ts_ms)), " ", h("b", { title: e.kind }, eventName(e.kind)), " ",
      h("span", { class: "actor" }, e.actor || ""),
      e.step ? h("span", { class: "step" }, ` [${e.step}]`) : "",
      e.alert > 0 ? h("a", { href: `#/alerts/${e.alert}`, class: "alert" }, ` #${e.alert}`) : "",
      e.text ? h("span", { class: "text", title: e.text }, ` — ${incidentText(e.kind, e.text)}`) : "")));
}

function alertTable(d: Detail): HTMLElement {
  if (!d.alerts.length) return h("p", { class: "empty" }, t("none"));
  const sevs = ["info", "low", "medium", "high", "critical"];
  return h("table", { class: "ialerts" },
    h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, t("severity")), h("th", {}, t("state")), h("th", {}, t("rule")),
      h("th", {}, t("summary")), h("th", {}, t("iAttached")))),
    h("tbody", {}, ...d.alerts.map((a) => h("tr", { "data-alert": a.alert },
      td("#", {}, h("a", { href: `#/alerts/${a.alert}` }, a.alert)),
      td(t("severity"), { class: `sev-${sevs[a.severity] || ""}` }, sev(sevs[a.severity] || String(a.severity))),
      td(t("state"), {}, alertState(a.state)), td(t("rule"), {}, a.rule || "-"),
      td(t("summary"), { class: "summary" }, a.summary || "-"), td(t("iAttached"), {}, when(a.attached_ms))))));
}

// A small form that posts one change of the incident; its refusal shown under it.
function postForm(id: number, what: string, cls: string, keep: Keep, again: () => void, inputs: HTMLElement[],
                  body: () => Record<string, unknown> | null, label: string, done: () => void): HTMLElement {
  const form = h("form", { class: `iform ${cls}` }, ...inputs, h("button", { type: "submit" }, label),
    keep.formError[cls] ? h("p", { class: "bad form-error", role: "alert" }, keep.formError[cls]) : null);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const b = body();
    if (!b) return;
    try {
      await api.post(`/api/v1/incidents/${id}/${what}`, b);
      delete keep.formError[cls];
      done();
    } catch (err) {
      keep.formError[cls] = refusal(err);
    }
    again();
  });
  return form;
}

// An input (or text area) whose value is kept in keep under get/set across redraws.
function kept(tag: "input" | "textarea", name: string, ph: string, get: () => string, set: (v: string) => void,
              required = false): HTMLInputElement {
  const el = h(tag, { name, placeholder: ph, title: ph, rows: tag === "textarea" ? 2 : undefined, required }) as HTMLInputElement;
  el.value = get();
  el.addEventListener("input", () => set(el.value));
  return el;
}

function noteForm(id: number, keep: Keep, again: () => void): HTMLElement {
  const text = kept("textarea", "text", t("iNoteText"), () => keep.note, (v) => { keep.note = v; }, true);
  return postForm(id, "notes", "addnote-form", keep, again, [text], () => (keep.note.trim() ? { text: keep.note.trim() } : null),
    t("iAddNote"), () => { keep.note = ""; });
}

function gradeForm(id: number, i: Incident, keep: Keep, again: () => void): HTMLElement {
  const sel = h("select", { name: "grade" }, ...GRADES.map((g) => h("option", { value: g, selected: (keep.grade || i.grade) === g },
    gradeName(g)))) as HTMLSelectElement;
  sel.addEventListener("change", () => { keep.grade = sel.value; });
  const reason = kept("input", "reason", t("iGradeReason"), () => keep.reason, (v) => { keep.reason = v; });
  return postForm(id, "grade", "grade-form", keep, again, [sel, reason],
    () => ({ grade: sel.value, reason: keep.reason.trim() || undefined }), t("iRegrade"), () => { keep.grade = ""; keep.reason = ""; });
}

function attachForm(id: number, keep: Keep, again: () => void): HTMLElement {
  const alert = kept("input", "alert", t("iAlertId"), () => keep.alert, (v) => { keep.alert = v; }, true);
  alert.type = "number";
  alert.min = "1";
  return postForm(id, "alerts", "attach-form", keep, again, [alert],
    () => (Number(keep.alert) > 0 ? { alert: Math.floor(Number(keep.alert)) } : null), t("iAttach"), () => { keep.alert = ""; });
}

// The close: the review's cause, impact and lessons (the API asks for each), and what the
// playbook should change (kept with its history).
function closeForm(id: number, keep: Keep, again: () => void): HTMLElement {
  if (!keep.closing)
    return h("p", {}, h("button", { class: "close-open", onclick: () => { keep.closing = true; again(); } }, t("iClose")));
  const fields = ["cause", "impact", "lessons", "proposal"].map((k) => field(tAny(`iR_${k}`, k),
    kept("textarea", k, tAny(`iR_${k}`, k), () => keep.close[k] || "", (v) => { keep.close[k] = v; }, k !== "proposal")));
  const body = () => Object.fromEntries(Object.entries(keep.close).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v));
  const form = postForm(id, "close", "close-form", keep, again, fields, body, t("iCloseConfirm"),
    () => { keep.close = {}; keep.closing = false; });
  form.append(h("button", { type: "button", class: "cancel", onclick: () => { keep.closing = false; again(); } }, t("cancel")));
  return form;
}

function reports(id: number): HTMLElement {
  const link = (who: string, f: string) => h("a", { class: `report-${f}`,
    href: `/api/v1/incidents/${id}/report?for=${who}&format=${f}`, target: f === "html" ? "_blank" : undefined,
    rel: f === "html" ? "noopener" : undefined, download: f === "html" ? undefined : "" }, f.toUpperCase());
  return h("table", { class: "reports" }, h("tbody", {}, ...AUDIENCES.map((who) => h("tr", { "data-for": who },
    td("", { class: "name" }, tAny(`iAud_${who}`, who)), td("", { class: "links" }, ...FORMATS.flatMap((f) => [link(who, f), " "]))))));
}

function block(title: string, cls: string, ...body: (Node | null)[]): HTMLElement {
  return h("section", { class: `isection ${cls}` }, h("h3", {}, title), ...body);
}

// What each step needs (the playbook as configured now; none when it is gone).
async function needsOf(playbook: string): Promise<Map<string, string[]>> {
  const m = new Map<string, string[]>();
  const pb = await api.get<PlaybookWhole>(`/api/v1/playbooks/${encodeURIComponent(playbook)}`).catch(() => null);
  for (const ph of pb?.phases || []) for (const s of ph.steps) if (s.needs?.length) m.set(s.name, s.needs);
  return m;
}

async function drawDetail(id: number, keep: Keep, again: () => void): Promise<void> {
  const g = viewGen();
  const d = await api.get<Detail>(`/api/v1/incidents/${id}`);
  const needs = await needsOf(d.incident.playbook);
  if (g !== viewGen()) return;
  renderBar("incidents");
  const i = d.incident, open = i.state === "open";
  const next = nextDue(d.steps);
  clear(page,
    h("p", { class: "back" }, h("a", { href: "#/incidents" }, `← ${t("incidents")}`)),
    h("h2", { class: "ihead" }, `#${i.id} `, drillMark(i), " ", h("span", { class: `grade grade-${i.grade}` }, gradeName(i.grade)), " ",
      h("span", { class: "title" }, i.title || "-"), " ", h("span", { class: `istate is-${i.state}` }, stateName(i.state))),
    h("p", { class: "ibar" }, t("iProgress", { a: i.steps_finished, b: i.steps }),
      open && next ? h("span", { class: "inext" }, ` · ${t("iNext")}: ${stepTitle(next)} `, clock(next.due_ms)) : null),
    facts(i),
    block(t("iChecklist"), "checklist-box", checklist(d, needs, keep, again)),
    block(t("iTimeline"), "timeline-box", timeline(d), open && canAct("member") ? noteForm(id, keep, again) : null),
    block(t("iAlerts"), "alerts-box", alertTable(d), open && canAct("officer") ? attachForm(id, keep, again) : null),
    open && canAct("officer") ? block(t("iGradeChange"), "grade-box", gradeForm(id, i, keep, again)) : null,
    open && canAct("officer") ? block(t("iCloseReview"), "close-box", closeForm(id, keep, again)) : null,
    block(t("iReports"), "reports-box", reports(id)));
}

export async function incidentDetail(id: number): Promise<void> {
  const keep: Keep = { step: "", move: "", value: "", error: "", errorStep: "", note: "", grade: "", reason: "", alert: "",
    close: {}, closing: false, formError: {} }; // what is being typed survives a redraw
  const now = () => { drawDetail(id, keep, now).catch((e) => clear(page, h("p", { class: "bad" }, (e as Error).message))); };
  const redraw = debounce(() => { if (!typing() && !keep.move && !keep.closing) now(); }, 300);
  enterView(now);
  await drawDetail(id, keep, now);
  runClocks();
  whileShown(on("duty", redraw));
  whileShown(on("resync", redraw));
}
