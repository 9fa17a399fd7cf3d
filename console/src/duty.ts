// Duty: who is on duty, the schedule as a calendar, the handover, the duty log with its
// verification, notes.
import { api, Alert, DutyEntry, OnCallAnswer, Shift, Verify } from "./api";
import { canAct, debounce, dutyList, enterView, failed, page, renderBar, verifyLine, whileShown, viewGen } from "./app";
import { clear, fmtHM, fmtTime, h, zoneDay, zoneDayStart } from "./dom";
import { lang, t } from "./i18n";
import { on } from "./live";

const DAYS = 14;

const dayStart = zoneDayStart;
const hm = fmtHM;

// One row per schedule, one column per day (in the console's zone); each cell lists the shifts that
// touch that day, with their hours within it.
function calendar(shifts: Shift[]): HTMLElement {
  const first = dayStart(Date.now());
  const days = Array.from({ length: DAYS }, (_, i) => dayStart(first + i * 86400000 + 3600000 * 3));
  const names = [...new Set(shifts.map((s) => s.schedule))];
  const wd = lang() === "zh" ? ["日", "一", "二", "三", "四", "五", "六"] : ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const today = dayStart(Date.now());
  return h("table", { class: "calendar" },
    h("thead", {}, h("tr", {}, h("th", {}, ""), ...days.map((d) => {
      const x = zoneDay(d);
      return h("th", { class: d === today ? "today" : "" }, `${x.month}/${x.day}`, h("br"), wd[x.weekday]);
    }))),
    h("tbody", {}, ...names.map((name) => h("tr", { "data-schedule": name }, h("th", {}, name), ...days.map((d) => {
      const end = d + 86400000;
      const here = shifts.filter((s) => s.schedule === name && Date.parse(s.start) < end && Date.parse(s.end) > d);
      return h("td", { class: d === today ? "today" : "" }, ...here.map((s) => {
        const a = Math.max(Date.parse(s.start), d), b = Math.min(Date.parse(s.end), end);
        return h("div", { class: `shift ${s.layer === "override" ? "override" : ""}`, title: `${s.layer}: ${fmtTime(s.start)} – ${fmtTime(s.end)}` },
          h("b", {}, s.display), " ", `${hm(a)}–${b === end ? "24:00" : hm(b)}`);
      }));
    })))),
    names.length ? null : h("caption", {}, t("none")));
}

async function draw(): Promise<void> {
  const g = viewGen();
  const [d, oc, open] = await Promise.all([
    api.get<{ entries: DutyEntry[]; verify: Verify }>("/api/v1/duty?limit=200"),
    api.get<OnCallAnswer>(`/api/v1/oncall?days=${DAYS}`),
    api.get<{ alerts: Alert[] }>("/api/v1/alerts?state=open&limit=1000"),
  ]);
  if (g !== viewGen()) return;
  renderBar("duty");
  const note = h("textarea", { class: "note", name: "note", rows: 2, placeholder: t("note") }) as HTMLTextAreaElement;
  const to = h("input", { name: "to", placeholder: t("handoverTo"), value: oc.now.find((c) => c.next_person)?.next_person || "" }) as HTMLInputElement;
  const hnote = h("textarea", { name: "handover-note", rows: 3, placeholder: t("handoverNote") }) as HTMLTextAreaElement;
  const firing = open.alerts.filter((a) => a.state === "firing").length;
  clear(page,
    h("section", { class: "grid" },
      h("div", { class: "panel" }, h("h2", {}, t("onDuty")),
        h("ul", {}, ...oc.now.map((c) => h("li", {}, h("b", {}, c.schedule), ": ", c.display || t("nobody"),
          c.until ? ` (${t("until")} ${fmtTime(c.until)})` : "", c.next ? ` · ${t("next")}: ${c.next}` : "")),
          oc.now.length ? null : h("li", {}, t("none")))),
      canAct("officer") ? h("div", { class: "panel wide" }, h("h2", {}, t("handover")),
        h("p", {}, `${t("openAlerts")}: ${open.alerts.length} (${t("notAcked")}: ${firing})`),
        h("p", { class: "ok", id: "handed" }),
        h("form", { class: "handover", onsubmit: async (e: Event) => {
          e.preventDefault();
          const ok = await api.post("/api/v1/duty/handover", { to: to.value.trim() || undefined, note: hnote.value.trim() || undefined })
            .then(() => true, (x) => { failed(x); return false; });
          await draw().catch(() => undefined);
          if (ok) document.getElementById("handed")?.replaceChildren(t("handoverDone"));
        } }, to, hnote, h("button", { type: "submit" }, t("handover")))) : null),
    h("h2", {}, t("calendar")),
    h("div", { class: "scroll" }, calendar(oc.shifts)),
    h("h2", {}, t("dutyLog"), " ", verifyLine(d.verify)),
    canAct("officer") ? h("form", { class: "addnote", onsubmit: async (e: Event) => {
      e.preventDefault();
      if (!note.value.trim()) return;
      await api.post("/api/v1/duty/notes", { text: note.value }).catch(failed);
      draw().catch(() => undefined);
    } }, note, h("button", { type: "submit" }, t("addNote"))) : null,
    dutyList(d.entries));
}

export async function duty(): Promise<void> {
  // the log grows while someone writes a note: redraw only when nobody is typing
  const redraw = debounce(() => {
    const el = document.activeElement;
    if (el && page.contains(el) && (el.tagName === "INPUT" || el.tagName === "TEXTAREA")) return;
    draw().catch(() => undefined);
  });
  enterView(redraw);
  await draw();
  whileShown(on("duty", redraw));
  whileShown(on("resync", redraw));
}
