import assert from "node:assert/strict";
import { test } from "node:test";

import { installBrowserGlobals, recordingConnection } from "./fakes.mjs";

installBrowserGlobals();
const { Model } = await import("../../src/fh_anywidget/static/model.js");

function model(state = { value: 0 }, version = 1) {
  const connection = recordingConnection();
  return [new Model("m", structuredClone(state), version, connection, {}), connection];
}

test("an update older than what the model has is dropped; a newer one is applied", () => {
  const [m] = model({ value: 0 }, 5);
  assert.equal(m.applyServerState({ value: 1 }, 4), false);
  assert.equal(m.applyServerState({ value: 2 }, 5), false);
  assert.equal(m.get("value"), 0);
  assert.equal(m.applyServerState({ value: 3 }, 6), true);
  assert.equal(m.get("value"), 3);
});

test("a full state (a reopen) at the same version is taken, and keeps unsaved local edits", () => {
  const [m] = model({ value: 0, other: 0 }, 5);
  m.set("other", 9); // not saved
  assert.equal(m.applyServerState({ value: 4, other: 1 }, 5, { full: true }), true);
  assert.deepEqual([m.get("value"), m.get("other")], [4, 9]);
});

test("a write in flight keeps its value until its ack, which brings Python's value", () => {
  const [m, connection] = model();
  m.set("value", 1);
  m.save_changes();
  const { seq } = connection.sent.at(-1);
  m.applyServerState({ value: 7 }, 2); // ordered before the write was applied
  assert.equal(m.get("value"), 1);
  m.acked(seq, { value: 10 }, 3); // Python coerced it
  assert.equal(m.get("value"), 10);
  m.applyServerState({ value: 11 }, 4); // later changes apply again
  assert.equal(m.get("value"), 11);
});

test("an ack that names nothing means kept as sent", () => {
  const [m, connection] = model();
  m.set("value", 5);
  m.save_changes();
  m.acked(connection.sent.at(-1).seq, {}, 2);
  assert.equal(m.get("value"), 5);
  assert.deepEqual(m.confirmed.get("value"), [5, 2]);
});

test("a write refused outright snaps back to the newest server value, even one that arrived while it was in flight", () => {
  const [m, connection] = model();
  m.set("value", 1);
  m.save_changes();
  m.applyServerState({ value: 6 }, 2); // Python changed it meanwhile
  m.refused(connection.sent.at(-1).seq);
  assert.equal(m.get("value"), 6);
});

test("an older write's ack does not settle a key a newer write holds", () => {
  const [m, connection] = model();
  m.set("value", 1);
  m.save_changes();
  const first = connection.sent.at(-1).seq;
  m.set("value", 2);
  m.save_changes();
  m.acked(first, { value: 0 }, 2); // Python refused the first
  assert.equal(m.get("value"), 2);
  m.acked(connection.sent.at(-1).seq, {}, 3);
  assert.equal(m.get("value"), 2);
});

test("every set is sent, equal or not, and fires change only for values that differ", () => {
  const [m, connection] = model({ value: [1, 2] });
  const changes = [];
  m.on("change:value", () => changes.push(m.get("value")));
  m.set("value", [1, 2]);
  m.save_changes();
  assert.equal(connection.sent.length, 1);
  assert.deepEqual(changes, []);
});

test("off from one user of the model removes only that user's listeners", () => {
  const [m] = model();
  const calls = [];
  m.on("change:value", () => calls.push("host")); // the host's own (layout follower)
  const init = m.scoped(null);
  init.on("change:value", () => calls.push("initialize"));
  const view1 = m.scoped(null);
  const view2 = m.scoped(null);
  view1.on("change:value", () => calls.push("view1"));
  view2.on("change:value", () => calls.push("view2"));
  view1.off("change:value");
  m.applyServerState({ value: 1 }, 2);
  assert.deepEqual(calls.sort(), ["host", "initialize", "view2"]);
  calls.length = 0;
  view2.off();
  m.applyServerState({ value: 2 }, 3);
  assert.deepEqual(calls.sort(), ["host", "initialize"]);
});

test("a scope's listeners end with its signal", () => {
  const [m] = model();
  const controller = new AbortController();
  const view = m.scoped(controller.signal);
  let calls = 0;
  view.on("change:value", () => calls++);
  view.once("change:value", () => calls++);
  m.applyServerState({ value: 1 }, 2);
  controller.abort();
  m.applyServerState({ value: 2 }, 3);
  assert.equal(calls, 2);
  assert.equal(m.listeners.length, 0);
});
