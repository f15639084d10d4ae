// Failing loudly, in place: a visible box where the view would be, and a report to the server.

/** Replace `target`'s content with an error box naming the widget, the phase and the error. */
export function showError(target, { widget, phase, error }) {
  const box = document.createElement("div");
  box.className = "fh-anywidget-error";
  box.setAttribute("role", "alert");
  const title = document.createElement("strong");
  title.textContent = `${widget ?? "widget"} failed to ${phase}`;
  const message = document.createElement("div");
  message.textContent = String(error?.message ?? error);
  box.append(title, message);
  if (error?.stack) {
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "stack";
    const pre = document.createElement("pre");
    pre.textContent = error.stack;
    details.append(summary, pre);
    box.append(details);
  }
  target.replaceChildren(box);
}

/** Log an error in the console and send it to the server's log. */
export function reportError(connection, { model, widget, phase, error }) {
  console.error(`[fh-anywidget] ${widget} (${model}) failed to ${phase}:`, error);
  connection?.send({
    type: "log",
    level: "error",
    model,
    widget,
    phase,
    message: String(error?.message ?? error),
    stack: String(error?.stack ?? ""),
  });
}
