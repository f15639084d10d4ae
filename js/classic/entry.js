// The ipywidgets 8 front end, re-exported as one ES module (built by scripts/vendor-classic.sh).
export * as base from "@jupyter-widgets/base";
export * as controls from "@jupyter-widgets/controls";
export * as output from "@jupyter-widgets/output";
// The same Lumino the controls use: views are attached through it.
export { Widget as LuminoWidget } from "@lumino/widgets";
