// Building the page: every value goes in as text (textContent), never as HTML, so alert
// fields, asset names and log lines that carry script or markup stay inert.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>;

export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (k === "class") el.className = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return el;
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

// The zone times are written in: console.timezone from /api/v1/console (an IANA zone, or
// a fixed offset: also "local", the server's zone, whose offset it sends).
export interface Zone { timezone: string; iana: boolean; offset_minutes: number; abbreviation: string }
let zone: Zone = { timezone: "UTC", iana: false, offset_minutes: 0, abbreviation: "UTC" };

export function setZone(z: Zone): void {
  zone = z;
}

const p2 = (n: number) => String(n).padStart(2, "0");

function offsetText(min: number): string {
  const a = Math.abs(min);
  return `${min < 0 ? "-" : "+"}${p2(Math.floor(a / 60))}:${p2(a % 60)}`;
}

// The wall-clock fields of t in the zone, and its offset east of UTC in minutes.
function inZone(t: number): { y: number; mo: number; d: number; h: number; mi: number; s: number; off: number } {
  if (zone.iana) {
    try {
      const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone.timezone, hourCycle: "h23", year: "numeric",
        month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(t));
      const v = (k: string) => Number(parts.find((x) => x.type === k)?.value);
      const wall = Date.UTC(v("year"), v("month") - 1, v("day"), v("hour") % 24, v("minute"), v("second"));
      const off = Math.round((wall - Math.floor(t / 1000) * 1000) / 60000);
      return { y: v("year"), mo: v("month"), d: v("day"), h: v("hour") % 24, mi: v("minute"), s: v("second"), off };
    } catch { /* a zone this browser does not know: the offset the server sent */ }
  }
  const d = new Date(t + zone.offset_minutes * 60000);
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(),
           s: d.getUTCSeconds(), off: zone.offset_minutes };
}

// "+08:00 CST": the zone as written after times (the abbreviation when the server knows it
// for this offset).
export function zoneName(t = Date.now()): string {
  const off = inZone(t).off;
  return off === zone.offset_minutes && zone.abbreviation ? `${offsetText(off)} ${zone.abbreviation}` : offsetText(off);
}

// Midnight (in the zone) of the day t falls in, as a time.
export function zoneDayStart(t: number): number {
  const z = inZone(t);
  return Date.UTC(z.y, z.mo - 1, z.d) - z.off * 60000;
}

// Hours and minutes of t in the zone: "09:30".
export function fmtHM(t: number): string {
  const z = inZone(t);
  return `${p2(z.h)}:${p2(z.mi)}`;
}

// Month/day and weekday (0: Sunday) of t in the zone.
export function zoneDay(t: number): { month: number; day: number; weekday: number } {
  const z = inZone(t);
  return { month: z.mo, day: z.d, weekday: new Date(Date.UTC(z.y, z.mo - 1, z.d)).getUTCDay() };
}

// "2026-12-01 18:30:00 +08:00", in the console's zone.
export function fmtTime(iso: string | number | undefined): string {
  if (iso === undefined || iso === null || iso === "") return "-";
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return String(iso);
  const z = inZone(t);
  return `${z.y}-${p2(z.mo)}-${p2(z.d)} ${p2(z.h)}:${p2(z.mi)}:${p2(z.s)} ${offsetText(z.off)}`;
}

// A table cell that carries its column's name, shown before the value when a narrow screen
// turns the table into cards.
export function td(label: string, attrs: Record<string, string>, ...children: Child[]): HTMLElement {
  return h("td", { ...attrs, "data-label": label }, ...children);
}
