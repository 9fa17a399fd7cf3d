// The sign-in page.
import "./style.css";
import { api, ApiError } from "./api";
import { h, clear } from "./dom";
import { lang, setLang, t } from "./i18n";

function render(): void {
  const msg = h("p", { class: "msg", role: "alert" });
  const name = h("input", { name: "name", autocomplete: "username", required: true }) as HTMLInputElement;
  const pw = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true }) as HTMLInputElement;
  const form = h("form", {
    onsubmit: async (e: Event) => {
      e.preventDefault();
      msg.textContent = "";
      try {
        await api.post("/api/v1/session", { name: name.value, password: pw.value });
        location.replace("/");
      } catch (err) {
        const a = err as ApiError;
        msg.textContent = a.status === 429 ? t("wait", { s: a.retryAfter }) : a.status === 401 ? t("wrong") : a.message;
        pw.value = "";
      }
    },
  },
    h("h1", {}, t("title")),
    h("label", {}, t("name"), name),
    h("label", {}, t("password"), pw),
    h("button", { type: "submit" }, t("signin")),
    msg,
    h("p", { class: "langs" },
      h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); setLang("zh"); render(); } }, "中文"), " · ",
      h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); setLang("en"); render(); } }, "English")),
  );
  clear(document.getElementById("page")!, form);
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
  name.focus();
}

render();
