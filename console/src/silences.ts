// Silences: those in force or to come (or all), who added them and why; officers end them.
// They are added from an alert or a group (triage.ts).
import { api, Silence } from "./api";
import { canAct, debounce, enterView, failed, page, renderBar, viewGen, whileShown } from "./app";
import { clear, fmtTime, h, td } from "./dom";
import { t } from "./i18n";
import { on } from "./live";

function stateName(s: string): string {
  return s === "active" ? t("active") : s === "pending" ? t("pending") : s === "expired" ? t("expired") : s;
}

async function draw(all: boolean, again: () => void): Promise<void> {
  const g = viewGen();
  const { silences: list } = await api.get<{ silences: Silence[] }>(`/api/v1/silences${all ? "?all=1" : ""}`);
  if (g !== viewGen()) return;
  renderBar("silences");
  const expire = async (id: number) => {
    await api.del(`/api/v1/silences/${id}`).catch(failed);
    again();
  };
  clear(page,
    h("h2", {}, t("activeSilences")),
    h("p", { class: "views" }, h("a", { href: all ? "#/silences" : "#/silences?all=1", class: "all" },
      all ? t("activeSilences") : t("allSilences"))),
    h("table", { class: "silences" },
      h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, t("state")), h("th", {}, t("matchers")), h("th", {}, t("from")),
        h("th", {}, t("to")), h("th", {}, t("by")), h("th", {}, t("why")), h("th", {}, ""))),
      h("tbody", {}, ...list.map((x) => h("tr", { "data-id": x.id, class: x.state },
        td("#", {}, x.id), td(t("state"), { class: "state" }, stateName(x.state)),
        td(t("matchers"), { class: "matchers" }, Object.entries(x.matchers).map(([k, v]) => `${k}=${v}`).join(" ")),
        td(t("from"), {}, fmtTime(x.from)), td(t("to"), {}, fmtTime(x.until)), td(t("by"), {}, x.by || ""),
        td(t("why"), { class: "comment" }, x.comment || ""),
        td("", {}, x.state !== "expired" && canAct("officer")
          ? h("button", { class: "expire", onclick: () => expire(x.id) }, t("expire")) : ""))))),
    list.length ? null : h("p", { class: "empty" }, t("none")));
}

export async function silences(): Promise<void> {
  const all = /[?&]all=1/.test(location.hash);
  const now = () => { draw(all, now).catch(() => undefined); };
  const redraw = debounce(now);
  enterView(redraw);
  await draw(all, now);
  whileShown(on("duty", redraw)); // a silence added or ended is a duty-log entry
  whileShown(on("resync", redraw));
}
