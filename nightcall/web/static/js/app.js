// The single page: routes in the URL hash, a page module per route, auto-refresh, the key
// prompt, the theme and the keyboard.

import { ApiError, apiKey, hasApi, setApiKey } from "./api.js";
import { fill, h } from "./dom.js";
import { currentRoute, href } from "./state.js";
import { shiftRange, timeControls } from "./timepicker.js";
import { errorState } from "./view.js";

const NAV = [
  ["/overview", "Overview", "o"], ["/diagnosis", "Diagnosis", "d"], ["/traces", "Traces", "t"],
  ["/errors", "Errors", "e"], ["/logs", "Logs", "l"], ["/map", "Service map", "m"],
  ["/incidents", "Incidents", "i", "/api/v1/incidents"], ["/alerts", "Alerts", "a", "/api/v1/alerts/rules"],
];

// [pattern, module]: ":name" segments become args.
const ROUTES = [
  ["/overview", "overview"], ["/diagnosis", "diagnosis"], ["/services/:service", "service"],
  ["/traces", "traces"], ["/traces/compare", "compare"], ["/traces/:trace", "trace"],
  ["/errors", "errors"], ["/errors/releases", "errors"], ["/errors/:fingerprint", "error_group"],
  ["/logs", "logs"], ["/logs/templates", "logs"], ["/map", "service_map"],
  ["/incidents", "incidents"], ["/incidents/:incident", "incident"], ["/alerts", "alerts"],
];

function match(route) {
  for (const [pattern, module] of ROUTES) {
    const parts = pattern.split("/").filter(Boolean);
    if (parts.length !== route.segments.length) continue;
    const args = {};
    const ok = parts.every((part, i) => {
      if (part.startsWith(":")) { args[part.slice(1)] = route.segments[i]; return true; }
      return part === route.segments[i];
    });
    if (ok) return { module, args };
  }
  return null;
}

const main = document.getElementById("page");
const nav = document.getElementById("nav");
const controls = timeControls(() => render({ quiet: true }));
let generation = 0;
let controller = null;
let timer = null;
let lastPath = null;

function navLinks() {
  const path = currentRoute().path;
  fill(nav, NAV.map(([target, label, key]) => h("a", {
    href: href(target), "data-nav": target, "aria-keyshortcuts": `g ${key}`,
    "aria-current": path === target || path.startsWith(`${target}/`) || (target === "/map" && path === "/map") ? "page" : null,
  }, label)));
  for (const [target, , , apiPath] of NAV) {
    if (!apiPath) continue;
    hasApi(apiPath).then((present) => {
      const link = nav.querySelector(`[data-nav="${target}"]`);
      if (link && !present) { link.classList.add("unavailable"); link.title = "not available on this server"; }
    });
  }
}

async function render({ quiet = false } = {}) {
  const gen = ++generation;
  if (controller) controller.abort();
  controller = new AbortController();
  const route = currentRoute();
  controls.sync();
  navLinks();
  const found = match(route);
  const root = h("div", { class: "page" });
  const samePage = lastPath === route.path;
  lastPath = route.path;
  if (!quiet || !samePage) fill(main, root);
  controls.setBusy(true);
  try {
    if (!found) {
      fill(root, errorState(new ApiError(404, { message: `no page at ${route.path}`, hint: "use the links above" })));
    } else {
      const page = await import(`./pages/${found.module}.js`);
      document.title = `${page.title ? page.title(found.args) : "nightcall"} · nightcall`;
      await page.render({ root, route, args: found.args, signal: controller.signal });
    }
  } catch (error) {
    if (error.name === "AbortError" || gen !== generation) return;
    if (error instanceof ApiError && error.status === 401) {
      askKey(error.message);
    } else {
      fill(root, errorState(error));
    }
  } finally {
    if (gen === generation) {
      if (quiet && samePage && main.firstChild !== root) main.replaceChildren(root);
      controls.setBusy(false);
    }
  }
  scheduleRefresh();
}

function scheduleRefresh() {
  clearTimeout(timer);
  const seconds = Number(currentRoute().params.get("refresh"));
  if (!seconds) return;
  timer = setTimeout(() => {
    const typing = main.contains(document.activeElement) && /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName);
    if (typing || document.querySelector("dialog[open]") || document.hidden) scheduleRefresh();
    else render({ quiet: true });
  }, seconds * 1000);
}

// The key prompt: the API said 401, so ask once, keep it in this tab, and render again.
const keyDialog = document.getElementById("key-dialog");
function askKey(reason) {
  if (keyDialog.open) return;
  document.getElementById("key-reason").textContent = reason || "This server asks for an API key.";
  document.getElementById("key-input").value = "";
  keyDialog.showModal();
}
document.getElementById("key-form").addEventListener("submit", () => {
  setApiKey(document.getElementById("key-input").value.trim());
  syncKeyButton();
  render();
});
document.getElementById("key-cancel").addEventListener("click", () => keyDialog.close());
main.addEventListener("click", (event) => {
  if (event.target.closest("[data-action=ask-key]")) askKey();
});

const keyButton = h("button", { type: "button", title: "Forget the API key this tab holds", hidden: true,
  onclick: () => { setApiKey(null); syncKeyButton(); render(); } }, "Forget key");
function syncKeyButton() { keyButton.hidden = !apiKey(); }

// Theme: the system's choice until the person picks one; the choice is kept in this browser.
const THEMES = ["system", "dark", "light"];
const themeButton = h("button", { type: "button", id: "theme-button", "aria-label": "Theme" });
function applyTheme(theme) {
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  themeButton.textContent = { system: "◐", dark: "☾", light: "☀" }[theme];
  themeButton.title = `Theme: ${theme} (click to change)`;
}
themeButton.addEventListener("click", () => {
  const current = localStorage.getItem("nightcall.theme") || "system";
  const next = THEMES[(THEMES.indexOf(current) + 1) % THEMES.length];
  localStorage.setItem("nightcall.theme", next);
  applyTheme(next);
});
applyTheme(localStorage.getItem("nightcall.theme") || "system");

fill(document.getElementById("controls"), controls.element, keyButton, themeButton,
  h("button", { type: "button", title: "Keyboard shortcuts (?)", "aria-label": "Keyboard shortcuts",
    onclick: () => document.getElementById("help-dialog").showModal() }, "?"));
syncKeyButton();

// Keyboard: "g" then a page's letter; "/" search; "r" refresh; "[" "]" move the window.
let pendingG = 0;
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (/INPUT|TEXTAREA|SELECT/.test(event.target.tagName) || document.querySelector("dialog[open]")) return;
  if (pendingG && Date.now() - pendingG < 1500) {
    pendingG = 0;
    const target = NAV.find(([, , key]) => key === event.key);
    if (target) { event.preventDefault(); location.hash = href(target[0]); }
    return;
  }
  if (event.key === "g") { pendingG = Date.now(); return; }
  if (event.key === "/") {
    const search = main.querySelector("[data-search]") || main.querySelector("input, select");
    if (search) { event.preventDefault(); search.focus(); }
  } else if (event.key === "r") {
    render({ quiet: true });
  } else if (event.key === "[" || event.key === "]") {
    shiftRange(event.key === "[" ? -1 : 1);
  } else if (event.key === "?") {
    document.getElementById("help-dialog").showModal();
  }
});

window.addEventListener("hashchange", () => {
  const path = currentRoute().path;
  const moved = path !== lastPath;
  render();
  if (moved) { window.scrollTo(0, 0); main.focus({ preventScroll: true }); }
});
if (!location.hash) history.replaceState(null, "", "#/overview");
render();
