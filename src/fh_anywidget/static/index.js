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
`;

const runtimes = new Map();

// The host's options travel in the script's own URL (WidgetHost adds them to the script tag).
const options = new URL(import.meta.url).searchParams;
if (options.has("widget_timeout")) config.getWidgetTimeout = Number(options.get("widget_timeout"));

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
  const registry = new Registry();
  const deliver = (header, buffers) => {
    const pageMessage = pageMessages[header.type];
    if (!pageMessage) return registry.handle(header, buffers);
    try {
      pageMessage(header);
    } catch (error) {
      console.error(`[fh-anywidget] could not apply a pushed ${header.type} message`, error);
    }
  };
  const connection = new Connection(socketPath, deliver, { onStatus: showStatus });
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

document.addEventListener("fh-anywidget:unknown-page", () => showStatus("expired"));

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
