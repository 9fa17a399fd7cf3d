// Drills (应急演练): the runs (scenario, state, score, when) with a "run" button for officers;
// one run: its stages measured beside their targets (a table and a bar chart), who responded,
// the weak spots (each can become a finding), its injections, "stop" while it runs and the
// marks people make in a tabletop; a scenario's runs over time (the score and each stage's
// time). The JSON is the drill runs' (store_drill.h); everything goes in as text (dom.ts).
import { api, ApiError } from "./api";
import { canAct, debounce, enterView, page, renderBar, viewGen, whileShown } from "./app";
import { chart } from "./charts";
import { clear, fmtTime, h, td } from "./dom";
import { lang, t, tAny } from "./i18n";
import { on } from "./live";

interface Stage {
  stage: string; label: { zh: string; en: string }; target_s: number | null; measured_s: number | null;
  ok: boolean; who: string | null;
}
interface Responder { name: string; department: string; acted: boolean }
interface Weak { text: string; text_zh: string; finding: number | null }
interface Injection { kind: string; at_s: number; state: string; error: string | null }
export interface Run {
  id: number; scenario: string; title: string; title_zh: string; state: string; tabletop: boolean; surprise: boolean;
  requested_by: string; requested: string | null; started: string | null; ended: string | null; score: number | null;
  stages: Stage[]; responders: Responder[]; weak: Weak[]; incident: number | null; alerts: number[];
  injections: Injection[];
}
interface Scenario { name: string; title?: string; title_zh?: string; tabletop?: boolean; builtin?: boolean }

const zh = () => lang() === "zh";
const LIVE = ["requested", "running", "scoring"];
const runTitle = (r: Run) => (zh() ? r.title_zh || r.title : r.title || r.title_zh) || r.scenario;
const scTitle = (s: Scenario) => (zh() ? s.title_zh || s.title : s.title || s.title_zh) || s.name;
const stateName = (s: string) => tAny(`ds_${s}`, s);
const stageLabel = (s: Stage) => (zh() ? s.label?.zh : s.label?.en) || s.stage;
const weakText = (w: Weak) => (zh() ? w.text_zh || w.text : w.text || w.text_zh);
const secs = (s: number | null) => (s === null || s === undefined ? "-" : s < 90 ? `${s}s` : `${Math.round(s / 6) / 10}min`);

// The API answers a list as an array or as {runs: [...]} / {scenarios: [...]}.
function listOf<T>(x: unknown, key: string): T[] {
  if (Array.isArray(x)) return x as T[];
  const v = (x as Record<string, unknown>)?.[key];
  return Array.isArray(v) ? (v as T[]) : [];
}

function refusal(e: unknown): string {
  return (e as ApiError).status === 403 ? t("forbidden") : t("fRefused", { msg: (e as Error).message });
}

function score(r: Run): HTMLElement {
  const s = r.score;
  return h("span", { class: `score${s === null ? "" : s >= 80 ? " good" : s >= 60 ? " fair" : " poor"}` },
    s === null ? "-" : String(s));
}

// ---- the list ----

function runRow(r: Run): HTMLElement {
  return h("tr", { class: `drill-run ds-${r.state}`, "data-id": r.id },
    td("#", { class: "id" }, h("a", { href: `#/drills/${r.id}` }, r.id)),
    td(t("dScenario"), { class: "scenario" }, h("a", { href: `#/drills/scenario/${encodeURIComponent(r.scenario)}` }, runTitle(r))),
    td(t("state"), { class: "state" }, stateName(r.state), r.tabletop ? ` · ${t("dTabletop")}` : "",
      r.surprise ? ` · ${t("dSurprise")}` : ""),
    td(t("dScore"), { class: "score-cell" }, score(r)),
    td(t("dWhen"), { class: "when" }, fmtTime(r.started || r.requested || undefined)),
    td(t("dBy"), { class: "by" }, r.requested_by || "-"));
}

function runTable(runs: Run[]): HTMLElement {
  const cols = ["#", t("dScenario"), t("state"), t("dScore"), t("dWhen"), t("dBy")];
  return h("table", { class: "drill-runs" }, h("thead", {}, h("tr", {}, ...cols.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...runs.map(runRow)));
}

interface StartKeep { scenario: string; error: string }

function startForm(scs: Scenario[], keep: StartKeep, again: () => void): HTMLElement {
  const sel = h("select", { name: "scenario" }, ...scs.map((s) =>
    h("option", { value: s.name, selected: keep.scenario === s.name }, `${scTitle(s)} (${s.name})`))) as HTMLSelectElement;
  sel.addEventListener("change", () => { keep.scenario = sel.value; });
  const form = h("form", { class: "dform start" }, sel, h("button", { type: "submit", class: "run" }, t("dRun")),
    keep.error ? h("p", { class: "bad form-error", role: "alert" }, keep.error) : null);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const r = await api.post<Run>("/api/v1/drills/runs", { scenario: sel.value });
      keep.error = "";
      location.hash = `#/drills/${r.id}`;
    } catch (err) {
      keep.error = refusal(err);
      again();
    }
  });
  return form;
}

async function drawList(keep: StartKeep, again: () => void): Promise<void> {
  const g = viewGen();
  const [runs, scs] = await Promise.all([
    api.get<unknown>("/api/v1/drills/runs?limit=200").then((x) => listOf<Run>(x, "runs")),
    api.get<unknown>("/api/v1/drills/scenarios").then((x) => listOf<Scenario>(x, "scenarios")).catch(() => [])]);
  if (g !== viewGen()) return;
  renderBar("drills");
  clear(page, h("h2", {}, t("drills")),
    canAct("officer") && scs.length ? startForm(scs, keep, again) : null,
    runs.length ? runTable(runs) : h("p", { class: "empty" }, t("none")));
}

export async function drills(): Promise<void> {
  const keep: StartKeep = { scenario: "", error: "" };
  const now = () => { drawList(keep, now).catch(() => undefined); };
  enterView(now);
  await drawList(keep, now);
  whileShown(on("duty", debounce(now, 1000))); // a drill's changes are duty-log entries
}

// ---- one run ----

function stageTable(r: Run): HTMLElement {
  const cols = [t("dStage"), t("dTarget"), t("dMeasured"), t("dOk"), t("dWho")];
  return h("table", { class: "drill-stages" }, h("thead", {}, h("tr", {}, ...cols.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...r.stages.map((s) => h("tr", { class: s.ok ? "stage st-ok" : "stage st-missed", "data-stage": s.stage },
      td(t("dStage"), { class: "stage-name" }, stageLabel(s)),
      td(t("dTarget"), { class: "target" }, secs(s.target_s)),
      td(t("dMeasured"), { class: "measured" }, s.measured_s === null ? t("dNever") : secs(s.measured_s)),
      td(t("dOk"), { class: "verdict" }, s.ok ? t("dOnTime") : t("dMissed")),
      td(t("dWho"), { class: "who" }, s.who || "-")))));
}

// Measured beside target, in minutes, one pair of bars per stage that has either.
function stageChart(el: HTMLElement, r: Run): void {
  const st = r.stages.filter((s) => s.target_s !== null || s.measured_s !== null);
  const min = (v: number | null) => (v === null ? null : Math.round(v / 6) / 10);
  chart(el).setOption({
    animation: false,
    grid: { left: 48, right: 12, top: 28, bottom: 60 },
    legend: { top: 0, textStyle: { color: "#bbb" } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: st.map(stageLabel), axisLabel: { rotate: 30 } },
    yAxis: { type: "value", name: "min", min: 0 },
    series: [{ name: t("dTarget"), type: "bar", data: st.map((s) => min(s.target_s)) },
             { name: t("dMeasured"), type: "bar", data: st.map((s) => min(s.measured_s)) }],
  });
}

function responders(r: Run): HTMLElement {
  if (!r.responders.length) return h("p", { class: "empty" }, t("none"));
  return h("ul", { class: "drill-responders" }, ...r.responders.map((p) =>
    h("li", { class: p.acted ? "acted" : "silent" }, `${p.name} · ${p.department || "-"} · `,
      p.acted ? t("dActed") : t("dSilent"))));
}

function weakSpots(r: Run, keep: RunKeep, again: () => void): HTMLElement {
  const open = r.weak.filter((w) => w.finding === null).length;
  const make = async () => {
    try {
      await api.post(`/api/v1/drills/runs/${r.id}/findings`, {});
      keep.error = "";
    } catch (err) {
      keep.error = refusal(err);
    }
    again();
  };
  return h("div", { class: "drill-weak" },
    r.weak.length ? h("ol", {}, ...r.weak.map((w) => h("li", {}, weakText(w), " ",
      w.finding !== null ? h("a", { href: `#/findings/${w.finding}`, class: "finding" }, `${t("findings")} #${w.finding}`) : null)))
      : h("p", { class: "empty" }, t("none")),
    open && canAct("officer") ? h("button", { class: "make-findings", onclick: make }, t("dMakeFindings")) : null);
}

function injections(r: Run): HTMLElement {
  const cols = [t("dKind"), t("dAt"), t("state"), t("dError")];
  return h("table", { class: "drill-injections" }, h("thead", {}, h("tr", {}, ...cols.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...r.injections.map((i) => h("tr", { class: `inj ds-${i.state}` },
      td(t("dKind"), {}, i.kind), td(t("dAt"), {}, `+${i.at_s}s`), td(t("state"), {}, stateName(i.state)),
      td(t("dError"), { class: "error" }, i.error || "")))));
}

interface RunKeep { error: string; stage: string; note: string }

// A tabletop's marks: the stage people reached, by whom, a note.
function markForm(r: Run, keep: RunKeep, again: () => void): HTMLElement {
  const stage = h("select", { name: "stage" }, ...r.stages.map((s) =>
    h("option", { value: s.stage, selected: keep.stage === s.stage }, stageLabel(s)))) as HTMLSelectElement;
  const note = h("input", { name: "note", value: keep.note, placeholder: t("note") }) as HTMLInputElement;
  stage.addEventListener("change", () => { keep.stage = stage.value; });
  note.addEventListener("input", () => { keep.note = note.value; });
  const form = h("form", { class: "dform mark" }, stage, note, h("button", { type: "submit" }, t("dMark")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api.post(`/api/v1/drills/runs/${r.id}/marks`, { stage: stage.value, note: note.value.trim() || undefined });
      keep.note = "";
      keep.error = "";
    } catch (err) {
      keep.error = refusal(err);
    }
    again();
  });
  return form;
}

function runFacts(r: Run): HTMLElement {
  const rows: [string, string, Node | string][] = [
    ["scenario", t("dScenario"), h("a", { href: `#/drills/scenario/${encodeURIComponent(r.scenario)}` }, r.scenario)],
    ["state", t("state"), stateName(r.state)],
    ["score", t("dScore"), score(r)],
    ["started", t("started"), fmtTime(r.started || undefined)],
    ["ended", t("dEnded"), fmtTime(r.ended || undefined)],
    ["by", t("dBy"), r.requested_by || "-"],
    ["incident", t("incidents"), r.incident !== null ? h("a", { href: `#/incidents/${r.incident}` }, `#${r.incident}`) : "-"],
    ["alerts", t("alerts"), r.alerts.length ? h("span", {}, ...r.alerts.map((a) => h("a", { href: `#/alerts/${a}`, class: "alert-link" }, `#${a} `))) : "-"],
  ];
  return h("dl", { class: "drill" }, ...rows.flatMap(([cls, label, v]) => [h("dt", {}, label), h("dd", { class: cls }, v)]));
}

async function drawRun(id: number, keep: RunKeep, again: () => void): Promise<void> {
  const g = viewGen();
  const r = await api.get<Run>(`/api/v1/drills/runs/${id}`);
  if (g !== viewGen()) return;
  renderBar("drills");
  const live = LIVE.includes(r.state);
  const stop = async () => {
    try {
      await api.post(`/api/v1/drills/runs/${id}/stop`, {});
    } catch (err) {
      keep.error = refusal(err);
    }
    again();
  };
  const bars = h("div", { class: "chart drill-chart" });
  clear(page,
    h("h2", {}, h("span", { class: "drill" }, t("iDrillMark")), `#${r.id} ${runTitle(r)}`),
    live && canAct("officer") ? h("button", { class: "stop", onclick: stop }, t("dStop")) : null,
    keep.error ? h("p", { class: "bad form-error", role: "alert" }, keep.error) : null,
    runFacts(r),
    h("h3", {}, t("dStages")), stageTable(r), bars,
    r.tabletop && live && canAct("member") ? markForm(r, keep, again) : null,
    h("h3", {}, t("dResponders")), responders(r),
    h("h3", {}, t("dWeak")), weakSpots(r, keep, again),
    r.injections.length ? h("h3", {}, t("dInjections")) : null, r.injections.length ? injections(r) : null);
  stageChart(bars, r);
}

export async function drillRun(id: number): Promise<void> {
  const keep: RunKeep = { error: "", stage: "", note: "" };
  const now = () => { drawRun(id, keep, now).catch((e) => clear(page, h("p", { class: "bad" }, (e as Error).message))); };
  enterView(now);
  await drawRun(id, keep, now);
  whileShown(on("duty", debounce(now, 1000)));
}

// ---- a scenario over time ----

async function drawScenario(name: string): Promise<void> {
  const g = viewGen();
  const runs = listOf<Run>(await api.get<unknown>(`/api/v1/drills/runs?scenario=${encodeURIComponent(name)}&limit=200`), "runs")
    .filter((r) => r.started).sort((a, b) => Date.parse(a.started!) - Date.parse(b.started!));
  if (g !== viewGen()) return;
  renderBar("drills");
  const scoreEl = h("div", { class: "chart drill-score" }), stagesEl = h("div", { class: "chart drill-stage-times" });
  clear(page, h("h2", {}, `${t("dScenario")}: ${name}`),
    h("h3", {}, t("dScoreTrend")), scoreEl, h("h3", {}, t("dStageTrend")), stagesEl,
    runs.length ? runTable([...runs].reverse()) : h("p", { class: "empty" }, t("none")));
  const at = (r: Run) => Date.parse(r.started!);
  chart(scoreEl).setOption({
    animation: false, grid: { left: 40, right: 12, top: 10, bottom: 24 }, tooltip: { trigger: "axis" },
    xAxis: { type: "time" }, yAxis: { type: "value", min: 0, max: 100 },
    series: [{ name: t("dScore"), type: "line", showSymbol: true, data: runs.filter((r) => r.score !== null).map((r) => [at(r), r.score]) }],
  });
  const stages = [...new Set(runs.flatMap((r) => r.stages.map((s) => s.stage)))];
  chart(stagesEl).setOption({
    animation: false, grid: { left: 48, right: 12, top: 28, bottom: 24 }, tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll", textStyle: { color: "#bbb" } },
    xAxis: { type: "time" }, yAxis: { type: "value", name: "min", min: 0 },
    series: stages.map((st) => ({
      name: stageLabel(runs.flatMap((r) => r.stages).find((s) => s.stage === st)!), type: "line", showSymbol: true,
      data: runs.map((r) => [at(r), r.stages.find((s) => s.stage === st)?.measured_s ?? null])
        .filter((p) => p[1] !== null).map(([x, v]) => [x, Math.round((v as number) / 6) / 10]),
    })),
  });
}

export async function drillScenario(name: string): Promise<void> {
  const now = () => { drawScenario(name).catch(() => undefined); };
  enterView(now);
  await drawScenario(name);
}
