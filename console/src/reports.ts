// Reports (值守报告): the daily report of a chosen date shown in the page (the HTML of
// GET /api/v1/reports/daily?format=html in a sandboxed frame: no script of it runs, it reaches
// nothing of the console), its PDF, Markdown and JSON to download; the period report the same
// way; the scheduled reports kept (their files to download) and the scheduler's report jobs,
// which officers can run now.
import { api, ApiError } from "./api";
import { canAct, enterView, page, renderBar, viewGen } from "./app";
import { clear, fmtTime, h, td, zoneDayStart } from "./dom";
import { lang, t } from "./i18n";

interface Kept { id: number; kind: string; label: string; from: string; to: string; files: string[]; made: string; sent: string | null }
interface Job { name: string; rule: string; running: boolean; last_start: string | null; next: string | null; result: string | null }

const DOWNLOADS = ["pdf", "md", "json"];

export function reportDateFrom(p: URLSearchParams): string {
  const d = p.get("date") || "";
  return /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : fmtTime(zoneDayStart(Date.now()) - 1).slice(0, 10); // yesterday
}

function reportUrl(kind: "daily" | "period", format: string, date: string): string {
  const q = new URLSearchParams({ format, lang: lang() });
  if (kind === "daily") q.set("date", date);
  return `/api/v1/reports/${kind}?${q}`;
}

// The report's HTML in a frame with every sandbox restriction (scripts, forms, same origin).
async function showReport(frame: HTMLIFrameElement, status: HTMLElement, url: string): Promise<void> {
  status.textContent = t("rLoading");
  const r = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!r.ok) {
    const msg = await r.json().then((j) => j.error as string).catch(() => r.statusText);
    status.textContent = t("fRefused", { msg });
    frame.srcdoc = "";
    return;
  }
  frame.srcdoc = await r.text();
  status.textContent = "";
}

function downloads(kind: "daily" | "period", date: string): HTMLElement {
  return h("span", { class: "downloads" }, ...DOWNLOADS.map((f) =>
    h("a", { class: `button download-${f}`, href: reportUrl(kind, f, date), download: "" }, f.toUpperCase())));
}

function keptTable(list: Kept[]): HTMLElement {
  if (!list.length) return h("p", { class: "empty" }, t("none"));
  const cols = [t("rKind"), t("rCovers"), t("rMade"), t("rSent"), t("rFiles")];
  return h("table", { class: "reports-kept" }, h("thead", {}, h("tr", {}, ...cols.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...list.map((k) => h("tr", { "data-id": k.id },
      td(t("rKind"), {}, k.kind === "daily" ? t("rDaily") : t("rPeriod")),
      td(t("rCovers"), { class: "label" }, k.label),
      td(t("rMade"), {}, fmtTime(k.made)),
      td(t("rSent"), {}, k.sent ? fmtTime(k.sent) : "-"),
      td(t("rFiles"), { class: "files" }, ...k.files.map((f) =>
        h("a", { href: `/api/v1/reports/files/${encodeURIComponent(f)}`, download: "" }, f, " ")))))));
}

function jobTable(jobs: Job[], again: () => void): HTMLElement {
  if (!jobs.length) return h("p", { class: "empty" }, t("rNoJobs"));
  const run = async (name: string, btn: HTMLButtonElement) => {
    try {
      await api.post(`/api/v1/reports/jobs/${encodeURIComponent(name)}/run`, {});
      btn.textContent = t("rAsked");
    } catch (e) {
      btn.textContent = (e as ApiError).status === 403 ? t("forbidden") : (e as Error).message;
    }
    window.setTimeout(again, 3000);
  };
  const cols = [t("rJob"), t("rRule"), t("rLast"), t("rNext"), t("rResult"), ""];
  return h("table", { class: "report-jobs" }, h("thead", {}, h("tr", {}, ...cols.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...jobs.map((j) => {
      const btn = h("button", { class: "run-now" }, t("rRunNow")) as HTMLButtonElement;
      btn.addEventListener("click", () => run(j.name, btn));
      return h("tr", { "data-job": j.name },
        td(t("rJob"), {}, j.name === "daily" ? t("rDaily") : j.name === "period" ? t("rPeriod") : j.name),
        td(t("rRule"), {}, j.rule), td(t("rLast"), {}, fmtTime(j.last_start || undefined)),
        td(t("rNext"), {}, fmtTime(j.next || undefined)),
        td(t("rResult"), { class: "result" }, j.running ? t("rRunning") : j.result || "-"),
        td("", {}, canAct("officer") ? btn : null));
    })));
}

async function draw(date: string, again: () => void): Promise<void> {
  const g = viewGen();
  const kept = await api.get<{ reports: Kept[]; jobs: Job[] }>("/api/v1/reports").catch(() => ({ reports: [], jobs: [] }));
  if (g !== viewGen()) return;
  renderBar("reports");
  const input = h("input", { type: "date", name: "date", value: date }) as HTMLInputElement;
  input.addEventListener("change", () => { if (input.value) location.hash = `#/reports?date=${input.value}`; });
  const frame = h("iframe", { class: "report-frame", sandbox: "", title: t("rDaily") }) as HTMLIFrameElement;
  const status = h("p", { class: "report-status" });
  const pframe = h("iframe", { class: "report-frame period", sandbox: "", title: t("rPeriod") }) as HTMLIFrameElement;
  const pstatus = h("p", { class: "report-status" });
  const showPeriod = h("button", { class: "show-period", onclick: () => showReport(pframe, pstatus, reportUrl("period", "html", date)) },
    t("rShowPeriod"));
  clear(page, h("h2", {}, t("reports")),
    h("section", { class: "rdaily" }, h("h3", {}, t("rDaily")),
      h("div", { class: "rtools" }, h("label", {}, h("span", {}, t("rDate")), input), downloads("daily", date)), status, frame),
    h("section", { class: "rperiod" }, h("h3", {}, t("rPeriod")), h("div", { class: "rtools" }, showPeriod, downloads("period", date)),
      pstatus, pframe),
    h("section", { class: "rkept" }, h("h3", {}, t("rKept")), keptTable(kept.reports)),
    h("section", { class: "rjobs" }, h("h3", {}, t("rJobs")), jobTable(kept.jobs, again)));
  await showReport(frame, status, reportUrl("daily", "html", date));
}

export async function reports(date: string): Promise<void> {
  const now = () => { draw(date, now).catch(() => undefined); };
  enterView(now);
  await draw(date, now);
}
