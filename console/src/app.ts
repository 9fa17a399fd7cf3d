// What every view shares: who is signed in, the header bar, the page, live subscriptions
// that end when the view changes.
import { api, ApiError, DutyEntry, User, Verify } from "./api";
import { disposeCharts } from "./charts";
import { clear, fmtTime, h, zoneName } from "./dom";
import { dutyText, kindName, lang, setLang, t } from "./i18n";
import { liveUp, on } from "./live";

export const page = document.getElementById("page")!;
const bar = document.getElementById("bar")!;
let me: User | null = null;
let leaving: (() => void)[] = [];
let gen = 0; // which view is shown: work started for an earlier one draws nothing
let rerender: () => void = () => undefined;

export function setMe(u: User): void {
  me = u;
}

export function whoami(): User | null {
  return me;
}

export function canAct(min: "member" | "officer"): boolean {
  const rank: Record<string, number> = { viewer: 1, member: 2, officer: 3, admin: 4 };
  return !!me && rank[me.role] >= rank[min];
}

// Ends the last view's subscriptions and charts; the new one is drawn by `draw`.
export function enterView(draw: () => void): void {
  gen++;
  leaving.forEach((f) => f());
  leaving = [];
  disposeCharts();
  rerender = draw;
}

// The view being shown; a draw that finds it changed after awaiting its data stops.
export function viewGen(): number {
  return gen;
}

// Subscribes for as long as the current view is shown.
export function whileShown(unsub: () => void): void {
  leaving.push(unsub);
}

// Calls fn at most once per `ms` however often it is asked (live events come in bursts).
// Nothing runs once the view that asked has been left.
export function debounce(fn: () => void, ms = 300): () => void {
  let timer = 0;
  return () => {
    if (timer) return;
    const g = gen;
    timer = window.setTimeout(() => { timer = 0; if (g === gen) fn(); }, ms);
  };
}

// Someone typing or choosing in the page (a reason, a name, a filter) is not interrupted by a
// live redraw.
export function typing(): boolean {
  const el = document.activeElement;
  return !!el && page.contains(el) && ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

export function renderBar(active: string, period = ""): void {
  const tab = (id: string, label: string) =>
    h("a", { href: `#/${id}`, class: id === active ? "tab on" : "tab" }, label);
  clear(bar,
    h("strong", { class: "brand" }, t("title")),
    h("nav", {}, tab("overview", t("overview")), tab("alerts", t("alerts")), tab("findings", t("findings")),
      tab("incidents", t("incidents")), tab("drills", t("drills")), tab("reports", t("reports")), tab("duty", t("duty")),
      tab("silences", t("silences")), tab("hosts", t("hosts"))),
    h("span", { class: "period", id: "period" }, period),
    h("span", { class: "zone", id: "zone", title: t("zone") }, `${t("zone")} ${zoneName()}`),
    h("span", { class: liveUp() ? "live up" : "live down", id: "live", title: liveUp() ? t("live") : t("reconnecting") },
      liveUp() ? t("live") : t("reconnecting")),
    h("span", { class: "me" }, me ? `${me.display || me.name} (${me.role})` : ""),
    h("a", { href: "#", class: "lang", onclick: (e: Event) => { e.preventDefault(); setLang(lang() === "zh" ? "en" : "zh"); rerender(); } },
      lang() === "zh" ? "English" : "中文"),
    h("button", { class: "out", onclick: async () => { await api.del("/api/v1/session").catch(() => 0); location.replace("/"); } },
      t("signout")));
}

on("state", (up: boolean) => {
  const el = document.getElementById("live");
  if (!el) return;
  el.className = up ? "live up" : "live down";
  el.textContent = up ? t("live") : t("reconnecting");
});

export function verifyLine(v: Verify): HTMLElement {
  return v.intact
    ? h("span", { class: "ok", id: "verify" }, t("intact", { n: v.entries }))
    : h("span", { class: "bad", id: "verify" }, t("broken", { id: v.bad_entry ?? "?", why: v.why ?? "" }));
}

export function dutyList(entries: DutyEntry[]): HTMLElement {
  return h("ol", { class: "duty" }, ...entries.map((e) =>
    h("li", { "data-kind": e.kind },
      h("time", {}, fmtTime(e.ts)), " ",
      h("b", { title: e.kind }, kindName(e.kind)), " ",
      h("span", { class: "actor" }, e.actor || ""), " ",
      e.alert_id ? h("a", { href: `#/alerts/${e.alert_id}` }, `#${e.alert_id}`) : "", " ",
      h("span", { class: "text" }, dutyText(e.kind, e.text || "")))));
}

export function failed(e: unknown): void {
  window.alert((e as ApiError).status === 403 ? t("forbidden") : `${t("failed")}: ${(e as Error).message}`);
}
