// P6's widget: render a line of text and tell the page when it is on screen.
export default {
  render({ model, el }) {
    el.textContent = `small widget, n = ${model.get("n")}`;
    globalThis.benchRendered?.();
  },
};
