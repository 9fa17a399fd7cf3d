// Alerts: the list with its filters, and one alert with its timeline and what can be done
// with it (acknowledge, resolve, assign, comment).
import { api, Alert } from "./api";
import { canAct, debounce, enterView, failed, page, renderBar, whileShown, whoami, viewGen } from "./app";
import { clear, fmtTime, h } from "./dom";
import { kindName, sev, t } from "./i18n";
import { on } from "./live";

export interface AlertFilter { state: string; severity: string; q: string; assignee: string; before: string }

const PAGE = 200;

export function filterFrom(p: URLSearchParams): AlertFilter {
  return { state: p.get("state") || "open", severity: p.get("severity") || "", q: p.get("q") || "",
           assignee: p.get("assignee") || "", before: p.get("before") || "" };
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
  const { alerts: list } = await api.get<{ alerts: Alert[] }>(`/api/v1/alerts?${q}`);
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
      sevSel, search, h("button", { type: "submit" }, "🔍")),
    h("table", { class: "alerts" },
      h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, t("severity")), h("th", {}, t("state")), h("th", {}, t("rule")),
        h("th", {}, t("summary")), h("th", {}, t("assignee")), h("th", {}, t("started")), h("th", {}, ""))),
      h("tbody", {}, ...list.map((a) =>
        h("tr", { class: `sev-${a.severity_name} ${a.state}`, "data-id": a.id },
          h("td", {}, h("a", { href: `#/alerts/${a.id}` }, a.id)),
          h("td", {}, sev(a.severity_name)),
          h("td", {}, stateName(a.state)),
          h("td", {}, a.rule),
          h("td", { class: "summary" }, a.summary),
          h("td", { class: "assignee" }, a.assignee || ""),
          h("td", {}, fmtTime(a.started_at)),
          h("td", {}, a.state === "firing" && canAct("member")
            ? h("button", { class: "ack", onclick: () => act(a.id, "ack") }, t("ack")) : ""))))),
    list.length ? null : h("p", {}, t("none")),
    h("p", { class: "pages" },
      f.before ? h("a", { href: filterHash({ ...f, before: "" }), class: "newest" }, t("newest")) : "", " ",
      list.length === PAGE ? h("a", { href: filterHash({ ...f, before: String(list[list.length - 1].id) }), class: "older" },
        t("older")) : ""));
  sevSel.addEventListener("change", () => {
    location.hash = filterHash({ ...f, q: search.value.trim(), severity: sevSel.value, before: "" });
  });
}

export async function alerts(f: AlertFilter): Promise<void> {
  const redraw = debounce(() => { drawList(f).catch(() => undefined); });
  enterView(redraw);
  await drawList(f);
  whileShown(on("alerts", redraw));
  whileShown(on("resync", redraw));
}

// ---- one alert ----

async function drawDetail(id: number, keep: { note: string; comment: string; to: string }, again: () => void): Promise<void> {
  const g = viewGen();
  const a = await api.get<Alert>(`/api/v1/alerts/${id}`);
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
        ? h("button", { class: "unassign", onclick: () => assign(null) }, `✕ ${t("unassigned")}`) : "") : null,
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
