// The console: the overview wall, alerts, findings, incidents, drills, reports, duty, hosts (each with its page) and network. Views draw from the API
// and redraw themselves on the live events of /api/v1/stream.
import "./style.css";
import { alertDetail, alerts, filterFrom } from "./alerts";
import { api, User } from "./api";
import { page, setMe } from "./app";
import { resizeCharts } from "./charts";
import { clear, h, setZone, Zone } from "./dom";
import { drillRun, drills, drillScenario } from "./drills";
import { duty } from "./duty";
import { findingDetail, findingFilterFrom, findings } from "./findings";
import { hostPage, rangeFrom } from "./hostpage";
import { fleetFilterFrom, hosts } from "./hosts";
import { incidentDetail, incidentFilterFrom, incidents } from "./incidents";
import { lang, setLang } from "./i18n";
import { startLive } from "./live";
import { overview } from "./overview";
import { reportDateFrom, reports } from "./reports";
import { silences } from "./silences";

async function route(): Promise<void> {
  const hash = location.hash.replace(/^#\/?/, "") || "overview";
  const [path, query] = hash.split("?");
  try {
    if (path === "overview") await overview();
    else if (path === "alerts") await alerts(filterFrom(new URLSearchParams(query || "")));
    else if (/^alerts\/\d+$/.test(path)) await alertDetail(Number(path.slice(7)));
    else if (path === "findings") await findings(findingFilterFrom(new URLSearchParams(query || "")));
    else if (/^findings\/\d+$/.test(path)) await findingDetail(Number(path.slice(9)));
    else if (path === "incidents") await incidents(incidentFilterFrom(new URLSearchParams(query || "")));
    else if (/^incidents\/\d+$/.test(path)) await incidentDetail(Number(path.slice(10)));
    else if (path === "drills") await drills();
    else if (/^drills\/\d+$/.test(path)) await drillRun(Number(path.slice(7)));
    else if (path.startsWith("drills/scenario/")) await drillScenario(decodeURIComponent(path.slice(16)));
    else if (path === "reports") await reports(reportDateFrom(new URLSearchParams(query || "")));
    else if (path === "duty") await duty();
    else if (path === "silences") await silences();
    else if (path === "hosts") await hosts(fleetFilterFrom(new URLSearchParams(query || "")));
    else if (/^hosts\/[^/]+$/.test(path)) await hostPage(decodeURIComponent(path.slice(6)), rangeFrom(new URLSearchParams(query || "")));
    else location.hash = "#/overview";
  } catch (e) {
    clear(page, h("p", { class: "bad" }, (e as Error).message));
  }
}

async function start(): Promise<void> {
  const s = await api.get<{ user: User; csrf: string }>("/api/v1/session");
  setMe(s.user);
  api.setCsrf(s.csrf);
  setZone(await api.get<Zone>("/api/v1/console"));
  setLang(lang());
  startLive();
  window.addEventListener("hashchange", route);
  window.addEventListener("resize", resizeCharts);
  await route();
}

start();
