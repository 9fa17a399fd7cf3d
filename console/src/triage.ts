// Triage: alerts grouped by attack (the server groups them: /api/v1/alert-groups), a group
// expanded into its alerts, a whole group acknowledged, taken or assigned at once, and the
// silence form used for an alert or a group.
import { api, Alert, AlertGroup, AlertGroups } from "./api";
import { canAct, failed, whoami } from "./app";
import { fmtTime, h, td } from "./dom";
import { sev, t } from "./i18n";

const MEMBERS = 50;

export function groupsUrl(state: string, by: string, severity = "", limit = 200): string {
  const q = new URLSearchParams({ state, limit: String(limit) });
  if (by === "source") q.set("by", "source");
  if (severity) q.set("severity", severity);
  return `/api/v1/alert-groups?${q}`;
}

export function fetchGroups(state: string, by: string, severity = "", limit = 200): Promise<AlertGroups> {
  return api.get<AlertGroups>(groupsUrl(state, by, severity, limit));
}

// Where the group's alerts are: the asset, the host, or the source address.
export function groupWhere(g: AlertGroup): string {
  return g.by === "source" ? g.source || g.key.slice(2) : g.asset || g.host || "-";
}

// The silence form: a duration, a reason, and the button; `done` runs after it is added.
export function silenceForm(matchers: Record<string, string>, label: string, done: () => void): HTMLElement {
  const mins = h("select", { name: "minutes" },
    ...([[30, "m30"], [60, "h1"], [120, "h2"], [480, "h8"], [1440, "h24"]] as const).map(([m, k]) =>
      h("option", { value: m, selected: m === 120 }, t(k)))) as HTMLSelectElement;
  const reason = h("input", { name: "reason", class: "reason", placeholder: t("reason"), maxlength: 2048 }) as HTMLInputElement;
  return h("form", { class: "silence", onsubmit: async (e: Event) => {
    e.preventDefault();
    if (!reason.value.trim()) { reason.focus(); return; }
    const ok = await api.post("/api/v1/silences", { matchers, minutes: Number(mins.value), comment: reason.value.trim() })
      .then(() => true, (x) => { failed(x); return false; });
    if (ok) done();
  } }, h("span", { class: "matchers" }, Object.entries(matchers).map(([k, v]) => `${k}=${v}`).join(" ")), mins, reason,
  h("button", { type: "submit", class: "silence" }, label));
}

// One alert of an expanded group, as a compact line.
function memberRow(a: Alert): HTMLElement {
  return h("li", { class: `sev-${a.severity_name} ${a.state}`, "data-id": a.id },
    h("a", { href: `#/alerts/${a.id}` }, `#${a.id}`), " ", h("span", { class: "summary" }, a.summary), " ",
    h("time", {}, fmtTime(a.started_at)));
}

async function expand(g: AlertGroup, state: string, box: HTMLElement): Promise<void> {
  const q = new URLSearchParams({ key: g.key, state, limit: String(MEMBERS) });
  const m = await api.get<{ alerts: Alert[]; count: number }>(`/api/v1/alert-groups/alerts?${q}`);
  box.replaceChildren(h("ol", { class: "members" }, ...m.alerts.map(memberRow)),
    m.count > m.alerts.length ? h("p", { class: "hint more" }, t("moreInGroup", { n: m.count - m.alerts.length })) : "");
}

// What can be done with a whole group: acknowledge, take or assign, silence.
function groupActions(g: AlertGroup, redraw: () => void, extra: HTMLElement): HTMLElement {
  const me = whoami();
  const bulk = async (what: "ack" | "assign", body: Record<string, unknown>) => {
    const r = await api.post<{ changed: number }>(`/api/v1/alert-groups/${what}`, { key: g.key, ...body })
      .catch((x) => { failed(x); return null; });
    if (r) extra.replaceChildren(h("span", { class: "ok changed" }, t("changed", { n: r.changed })));
    redraw();
  };
  const to = h("input", { class: "to", name: "to", placeholder: t("assignTo") }) as HTMLInputElement;
  return h("div", { class: "actions" },
    g.firing && canAct("member") ? h("button", { class: "ack-group", onclick: () => bulk("ack", {}) }, t("ackAll")) : "",
    me && canAct("member") && g.assignee !== me.name
      ? h("button", { class: "take-group", onclick: () => bulk("assign", { to: me.name }) }, t("takeAll")) : "",
    canAct("officer") ? to : "",
    canAct("officer") ? h("button", { class: "assign-group", onclick: () => to.value.trim() && bulk("assign", { to: to.value.trim() }) },
      t("assignAll")) : "",
    canAct("officer") ? h("button", { class: "silence-open", onclick: () => {
      extra.replaceChildren(silenceForm(g.matchers, t("silenceGroup"), () => { location.hash = "#/silences"; }));
    } }, t("silence")) : "");
}

// The groups as a table (cards on a phone): severity, rule, where, count, latest; each
// expands into its alerts.
export function groupTable(groups: AlertGroup[], state: string, redraw: () => void): HTMLElement {
  return h("table", { class: "groups" },
    h("thead", {}, h("tr", {}, h("th", {}, t("severity")), h("th", {}, t("rule")), h("th", {}, t("where")),
      h("th", {}, t("count")), h("th", {}, t("summary")), h("th", {}, t("latest")), h("th", {}, t("assignee")), h("th", {}, ""))),
    h("tbody", {}, ...groups.flatMap((g) => {
      const box = h("div", { class: "expanded" });
      const extra = h("div", { class: "extra" });
      let open = false;
      const toggle = h("button", { class: "expand", onclick: async () => {
        open = !open;
        toggle.textContent = open ? t("collapse") : t("expand");
        if (open) await expand(g, state, box).catch(failed);
        else box.replaceChildren();
      } }, t("expand"));
      return [
        h("tr", { class: `group sev-${g.severity_name}`, "data-key": g.key, "data-count": g.count, "data-rule": g.rule },
          td(t("severity"), {}, sev(g.severity_name)),
          td(t("rule"), { class: "rule" }, g.rule),
          td(t("where"), { class: "where" }, groupWhere(g)),
          td(t("count"), { class: "count" }, h("b", {}, g.count), g.acked ? ` (${t("acked")} ${g.acked})` : ""),
          td(t("summary"), { class: "summary" }, h("a", { href: `#/alerts/${g.newest}` }, g.summary)),
          td(t("latest"), {}, fmtTime(g.last)),
          td(t("assignee"), { class: "assignee" }, g.assignee || ""),
          td("", { class: "act" }, toggle, groupActions(g, redraw, extra))),
        h("tr", { class: "group-more" }, h("td", { colspan: 8 }, extra, box)),
      ];
    })));
}
