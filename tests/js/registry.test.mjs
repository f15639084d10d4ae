import assert from "node:assert/strict";
import { test } from "node:test";

import { installBrowserGlobals, recordingConnection } from "./fakes.mjs";

installBrowserGlobals();
const { Registry } = await import("../../src/fh_anywidget/static/registry.js");

function registry() {
  const r = new Registry("/_fh_anywidget/assets/");
  r.connection = recordingConnection();
  return r;
}

const open = (model, state, version) => ({ type: "open", model, state, version, buffer_paths: [], buffers: [] });
const update = (model, state, version) => ({ type: "update", model, state, version, buffer_paths: [], buffers: [] });

/** An entry whose widget code is still loading (what a real Widget is while its module loads). */
function loading(r, id) {
  r.entries.get(id).widget = { status: "loading", views: new Set(), destroy() {} };
}

test("a reopen during code loading is not regressed by older messages held meanwhile", () => {
  const r = registry();
  r.handle(open("m", { value: 1 }, 1), []);
  loading(r, "m");
  r.handle(update("m", { value: 2 }, 2), []); // held: the code is loading
  r.handle(open("m", { value: 9 }, 7), []); // a reconnect resyncs to version 7
  r.entries.get("m").widget.status = "ready";
  r.deliverHeld("m");
  assert.equal(r.entries.get("m").model.get("value"), 9);
});

test("code names resolve against the host's asset path; URLs stay as given", () => {
  const r = registry();
  assert.equal(r.codeUrl("abc.js"), "http://127.0.0.1:5001/_fh_anywidget/assets/abc.js");
  assert.equal(r.codeUrl("https://example.org/w.js"), "https://example.org/w.js");
  assert.equal(r.codeUrl(null), null);
});

test("after a reconnect, models the server did not open again are closed; an expired page's stay", () => {
  const r = registry();
  for (const id of ["kept", "gone", "frozen"]) r.handle(open(id, { value: 0 }, 1), []);
  r.handle({ type: "attached", token: "A", models: ["kept", "gone"] }, []);
  r.handle({ type: "attached", token: "B", models: ["frozen"] }, []);
  r.beginResync(["A", "B"]);
  r.handle(open("kept", { value: 3 }, 2), []);
  r.handle({ type: "attached", token: "A", models: ["kept"] }, []);
  assert.equal(r.entries.size, 3); // still waiting for B's answer
  r.handle({ type: "unknown-page", token: "B", message: "expired" }, []);
  assert.deepEqual([...r.entries.keys()].sort(), ["frozen", "kept"]);
});

test("a released model goes, unless a view shows it again already", () => {
  const r = registry();
  r.handle(open("idle", {}, 1), []);
  r.handle(open("shown", {}, 1), []);
  r.entries.get("shown").widget = { status: "ready", views: new Set(["a view"]), destroy() {} };
  r.handle({ type: "release", model: "idle" }, []);
  r.handle({ type: "release", model: "shown" }, []);
  assert.deepEqual([...r.entries.keys()], ["shown"]);
});

test("an error naming a sequence number forgets that write and snaps its keys back", () => {
  const r = registry();
  r.handle(open("m", { value: 1 }, 1), []);
  const { model } = r.entries.get("m");
  model.set("value", 99);
  model.save_changes();
  const { seq } = r.connection.sent.at(-1);
  r.handle({ type: "error", seq, model: "m", message: "refused" }, []);
  assert.deepEqual(r.connection.acknowledged, [seq]);
  assert.equal(model.get("value"), 1);
});

test("widget_manager.get_model gives each caller its own view of the model", async () => {
  const r = registry();
  r.handle(open("m", { value: 1 }, 1), []);
  const [a, b] = await Promise.all([r.widgetManager.get_model("m"), r.widgetManager.get_model("m")]);
  let calls = 0;
  b.on("change:value", () => calls++);
  a.off();
  r.handle(update("m", { value: 2 }, 2), []);
  assert.equal(a.get("value"), 2);
  assert.equal(calls, 1);
});

test("state from the page's HTML opens models at once; the socket's answer updates or closes them", () => {
  const r = registry();
  r.preload([open("kept", { value: 1 }, 3), open("gone", { value: 1 }, 3)], "P");
  assert.equal(r.entries.get("kept").model.get("value"), 1);
  r.handle(open("kept", { value: 2 }, 4), []); // changed between render and attach
  r.handle({ type: "attached", token: "P", models: ["kept"] }, []); // "gone" closed meanwhile
  assert.equal(r.entries.get("kept").model.get("value"), 2);
  assert.equal(r.entries.has("gone"), false);
  r.preload([open("kept", { value: 1 }, 3)], "Q"); // an older copy in a later fragment
  assert.equal(r.entries.get("kept").model.get("value"), 2);
});
