import assert from "node:assert/strict";
import { test } from "node:test";

import { FakeSocket, installBrowserGlobals } from "./fakes.mjs";

installBrowserGlobals();
const { Connection, MessageTooLarge, randomId } = await import("../../src/fh_anywidget/static/connection.js");

function connected(hooks = {}) {
  const received = [];
  const c = new Connection("/_fh_anywidget/ws", (header) => received.push(header), hooks);
  c.attach("T1");
  const ws = FakeSocket.instances.at(-1);
  ws.open();
  return [c, ws, received];
}

test("the first token rides on the URL with the client id; later ones are attached", () => {
  const [c, ws] = connected();
  const url = new URL(ws.url);
  assert.equal(url.searchParams.get("page"), "T1");
  assert.equal(url.searchParams.get("client"), c.clientId);
  c.attach("T2");
  assert.deepEqual(ws.sent.at(-1), { type: "attach", token: "T2", buffers: [] });
});

test("unacknowledged messages are resent in order after a reconnect, after the attaches", async () => {
  const [c, ws] = connected();
  c.attach("T2");
  c.send({ type: "update", model: "m", state: { v: 1 }, buffer_paths: [] });
  c.send({ type: "update", model: "m", state: { v: 2 }, buffer_paths: [] });
  c.acked(1);
  ws.close(1006);
  await new Promise((resolve) => setTimeout(resolve, 300)); // (the backoff's first delay)
  const again = FakeSocket.instances.at(-1);
  assert.notEqual(again, ws);
  again.open();
  assert.deepEqual(again.sent.map((h) => [h.type, h.token ?? h.seq]), [["attach", "T2"], ["update", 2]]);
});

test("a message over the server's limits throws before it is numbered or sent", () => {
  const [c, ws] = connected();
  ws.receive({ type: "hello", version: 2, max_message: 100, max_payload: 10 });
  c.limits = { maxMessage: 100, maxPayload: 10 }; // (what the registry's on_hello sets)
  const before = ws.sent.length;
  assert.throws(() => c.send({ type: "custom", model: "m", content: "x".repeat(200) }), MessageTooLarge);
  assert.throws(() => c.send({ type: "custom", model: "m", content: 1 }, [new Uint8Array(11)]), MessageTooLarge);
  assert.equal(ws.sent.length, before);
  assert.equal(c.send({ type: "custom", model: "m", content: 1 }), 1);
});

test("closes that retrying cannot fix are final; others reconnect", () => {
  for (const [code, final] of [[1002, true], [1003, true], [1009, true], [4401, true], [1006, false], [4408, false], [1012, false]]) {
    const statuses = [];
    const [, ws] = connected({ onStatus: (s) => statuses.push(s) });
    ws.close(code);
    assert.equal(statuses.at(-1), final ? "gone" : "offline", `close ${code}`);
  }
});

test("ids need no secure context", () => {
  const original = crypto.randomUUID;
  try {
    Object.defineProperty(crypto, "randomUUID", { value: undefined, configurable: true });
    assert.match(randomId(), /^[0-9a-f]{32}$/);
  } finally {
    Object.defineProperty(crypto, "randomUUID", { value: original, configurable: true });
  }
});

test("a buffer split over frames is reassembled; a whole one is not copied", () => {
  const [c, ws, received] = connected();
  ws.receive({ type: "custom", model: "m", content: 1, buffers: [4, 2] });
  c.receive(new Uint8Array([1, 2]).buffer);
  c.receive(new Uint8Array([3, 4]).buffer);
  c.receive(new Uint8Array([5, 6]).buffer);
  const message = received.at(-1);
  assert.equal(message.type, "custom");
  assert.equal(c.incoming, null);
});
