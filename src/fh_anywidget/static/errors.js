// Failing loudly, in place: a visible box where the view would be, and a report to the server.
// Both say the same thing: a one-line summary first (what failed, and where when known); the
// message in full and the stack are folded away in the box and follow the line in the log.

/** The error's message as one line, named by its kind ("SyntaxError: …") unless plain Error. */
export function describe(error) {
  const message = String(error?.message ?? error).split("\n")[0];
  const name = error?.name;
  return name && name !== "Error" && !message.startsWith(`${name}:`) ? `${name}: ${message}` : message;
}

/** The source file of a view's module, when the host names it (dev mode, file-based `_esm`). */
function fileOf(target) {
  return target?.closest?.("fh-anywidget")?.getAttribute("esm-file") ?? null;
}

/** "Widget failed to load: SyntaxError: … (line 3, column 5) in widget.js". */
export function summarize({ widget, phase, error, file }) {
  if (error?.unusable && error.cause) error = error.cause; // a later view: name the first failure
  const where = file && error?.line ? ` in ${file}` : "";
  return `${widget ?? "widget"} failed to ${phase}: ${describe(error)}${where}`;
}

/** Replace `target`'s content with an error box: the summary line, then the details folded. */
export function showError(target, { widget, phase, error }) {
  const box = document.createElement("div");
  box.className = "fh-anywidget-error";
  box.setAttribute("role", "alert");
  const title = document.createElement("strong");
  title.className = "fh-anywidget-error-summary";
  title.textContent = summarize({ widget, phase, error, file: fileOf(target) });
  box.append(title);
  const full = String(error?.message ?? error);
  const stack = String(error?.stack ?? "");
  // The message in full when the summary line could not hold it (or named an earlier failure).
  const text = [title.textContent.endsWith(full) ? "" : full, stack].filter(Boolean).join("\n\n");
  if (text) {
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "details";
    const pre = document.createElement("pre");
    pre.textContent = text;
    details.append(summary, pre);
    box.append(details);
  }
  target.replaceChildren(box);
}

const reported = new Set(); // each distinct failure goes to the server log once per page

/** Log an error in the console and, once per distinct failure, in the server's log. */
export function reportError(connection, { model, widget, phase, error }) {
  console.error(`[fh-anywidget] ${widget} (${model}) failed to ${phase}:`, error);
  const file = fileOf(globalThis.document?.querySelector(`fh-anywidget[model="${CSS.escape(String(model))}"]`));
  const summary = summarize({ widget, phase, error, file });
  if (reported.has(summary)) return;
  if (reported.size < 1000) reported.add(summary);
  connection?.send({
    type: "log",
    level: "error",
    model,
    widget,
    phase,
    // What follows "failed to <phase>: " in the box, so the log line says the same.
    message: summary.slice(`${widget ?? "widget"} failed to ${phase}: `.length),
    stack: String(error?.stack ?? ""),
  });
}
