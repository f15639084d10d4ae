// fh-anywidget browser runtime: connection -> registry (models) -> views.
// Loaded once per page as <script type="module">; defines <fh-anywidget> elements.

import { Connection } from "./connection.js";
import { config } from "./host.js";
import { addTokensToHtmxRequests, PAGES_HEADER, pageMessages } from "./page.js";
import { Registry } from "./registry.js";
import { defineViewElement } from "./view.js";

// A view is a positioned box, like a notebook's output area: widgets that place children with
// position: absolute (centred dialogs, overlays) stay inside their own view.
const STYLE = `
fh-anywidget { display: block; position: relative; }
.fh-anywidget-error { border: 1px solid #d33; background: #fff4f4; color: #700; padding: .5em .75em;
  font: 13px/1.4 system-ui, sans-serif; border-radius: 4px; }
.fh-anywidget-error pre { white-space: pre-wrap; font-size: 11px; max-height: 12em; overflow: auto; }
.fh-anywidget-status { position: fixed; right: 12px; bottom: 12px; z-index: 2147483647;
  padding: 4px 10px; border-radius: 12px; font: 12px system-ui, sans-serif; color: #fff;
  background: rgba(60, 60, 60, .85); pointer-events: auto; }
.fh-anywidget-status button { margin-left: .5em; font: inherit; }
fh-anywidget.fh-anywidget-expired { opacity: .45; filter: grayscale(1); user-select: none; }
fh-anywidget.fh-anywidget-expired::after { content: attr(data-expired); position: absolute; inset: 0;
  display: flex; align-items: center; justify-content: center; font: 13px system-ui, sans-serif;
  color: #222; background: rgba(255, 255, 255, .6); }
`;

const runtimes = new Map();

// The host's options travel in the script's own URL (WidgetHost adds them to the script tag).
const options = new URL(import.meta.url).searchParams;
if (options.has("widget_timeout")) config.getWidgetTimeout = Number(options.get("widget_timeout"));
const onExpired = options.get("on_expired") ?? "notice";
const RELOADED_AT = "fh-anywidget:reloaded-at";

function statusBadge() {
  let badge = document.querySelector(".fh-anywidget-status");
  if (!badge) {
    badge = document.createElement("div");
    badge.className = "fh-anywidget-status";
    badge.setAttribute("role", "status");
    badge.hidden = true;
    document.body.append(badge);
  }
  return badge;
}

function showStatus(status, reason) {
  const badge = statusBadge();
  document.documentElement.dataset.fhAnywidget = status;
  if (status === "online") {
    badge.hidden = true;
    return;
  }
  badge.hidden = false;
  if (status === "offline") {
    badge.textContent = "Offline — reconnecting…";
    return;
  }
  badge.textContent = status === "expired"
    ? "This page has expired on the server. "
    : `Disconnected from the server (${reason}). `;
  const reload = document.createElement("button");
  reload.textContent = "Reload";
  reload.onclick = () => location.reload();
  badge.append(reload);
}

/** The runtime (socket + models) for one socket path; normally a page has exactly one. */
export function runtimeFor(socketPath) {
  let runtime = runtimes.get(socketPath);
  if (runtime) return runtime;
  // Code the server serves is named relative to {path}/assets/, beside the socket at {path}/ws.
  const registry = new Registry(socketPath.replace(/\/ws$/, "/assets/"));
  const deliver = (header, buffers) => {
    const pageMessage = pageMessages[header.type];
    if (!pageMessage) return registry.handle(header, buffers);
    try {
      pageMessage(header);
    } catch (error) {
      console.error(`[fh-anywidget] could not apply a pushed ${header.type} message`, error);
    }
  };
  const onStatus = (status, reason) => {
    if (status === "gone") expire(null, reason);
    else showStatus(status, reason);
  };
  const onOpen = (tokens, reconnected) => reconnected && registry.beginResync(tokens);
  const connection = new Connection(socketPath, deliver, { onStatus, onOpen });
  registry.connection = connection;
  runtime = {
    registry,
    connection,
    attach: (token) => connection.attach(token),
    release: (token) => connection.release(token) && registry.forgetPage(token),
  };
  runtimes.set(socketPath, runtime);
  return runtime;
}

/**
 * The server no longer knows a page (`token`, or every page when null): its views stop being
 * usable — greyed out and inert, with the notice — or, with on_expired="reload", the page
 * reloads itself (at most once in ten seconds, so a page that expires at once is not a loop).
 */
function expire(token, reason) {
  const last = Number(sessionStorage.getItem(RELOADED_AT) ?? 0);
  if (onExpired === "reload" && token !== null && Date.now() - last > 10_000) {
    sessionStorage.setItem(RELOADED_AT, String(Date.now()));
    location.reload();
    return;
  }
  const notice = token === null ? `Disconnected: ${reason}` : "This page has expired on the server";
  for (const view of document.querySelectorAll("fh-anywidget")) {
    if (token !== null && view.getAttribute("page") !== token) continue;
    view.inert = true;
    view.classList.add("fh-anywidget-expired");
    view.dataset.expired = `${notice} — reload to continue`;
  }
  showStatus(token === null ? "gone" : "expired", reason);
}

document.addEventListener("fh-anywidget:unknown-page", (event) => expire(event.detail?.token ?? null,
  event.detail?.message));

if (!document.getElementById("fh-anywidget-style")) {
  const style = Object.assign(document.createElement("style"), { id: "fh-anywidget-style", textContent: STYLE });
  document.head.append(style);
}
defineViewElement(runtimeFor);

/** Page tokens this document holds (what htmx requests carry in the FH-Anywidget-Pages header). */
function tokens() {
  return [...runtimes.values()].flatMap((r) => [...r.connection.tokens.keys()]);
}
addTokensToHtmxRequests(tokens);

// A small, documented surface for apps and tests.
globalThis.fhAnywidget = { config, runtimes, tokens, PAGES_HEADER };
