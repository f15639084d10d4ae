// Browser runtimes for tests/protocol/test_schedules.py: the real connection.js + registry.js +
// model.js, one per simulated client, over fake sockets the Python side drives frame by frame.
// One JSON command per stdin line; one JSON reply per stdout line.
//
//   {"op": "new", "client": c, "token": t}     a page runtime attaching page t
//   {"op": "deliver", "client": c, "header": h} a server message arrives
//   {"op": "set", "client": c, "model": m, "key": k, "value": v}   model.set + save_changes
//   {"op": "send", "client": c, "model": m, "content": x}          model.send
//   {"op": "drop", "client": c}                 the socket closes (network blip)
//   {"op": "reconnect", "client": c}            the backoff timer fires; the new socket opens
//   {"op": "state", "client": c}                every model's state, for the convergence check
//   {"op": "forget", "client": c}               the schedule is over
// Every reply lists the frames the client wrote meanwhile: {"sent": [header, ...], ...}.

import { createInterface } from "node:readline";

import { FakeSocket, installBrowserGlobals } from "./fakes.mjs";

installBrowserGlobals();
const timers = [];
globalThis.setTimeout = (callback) => timers.push(callback); // reconnects run when told to
const { Connection } = await import("../../src/fh_anywidget/static/connection.js");
const { Registry } = await import("../../src/fh_anywidget/static/registry.js");

const clients = new Map();

function newClient(token) {
  const registry = new Registry("/_fh_anywidget/assets/");
  const connection = new Connection("/_fh_anywidget/ws", (header, buffers) => registry.handle(header, buffers), {
    onOpen: (tokens, reconnected) => reconnected && registry.beginResync(tokens),
  });
  registry.connection = connection;
  const client = { registry, connection, socket: null, read: 0, timers: [] };
  connection.attach(token);
  client.socket = FakeSocket.instances.at(-1);
  client.socket.open();
  return client;
}

function written(client) {
  const frames = client.socket.sent.slice(client.read);
  client.read = client.socket.sent.length;
  return frames;
}

const ops = {
  new({ client: id, token }) {
    clients.set(id, newClient(token));
  },
  deliver({ header }, client) {
    client.connection.receive(JSON.stringify(header));
  },
  set({ model, key, value }, client) {
    const entry = client.registry.entries.get(model);
    if (!entry) return { skipped: true };
    entry.model.set(key, value);
    entry.model.save_changes();
  },
  send({ model, content }, client) {
    const entry = client.registry.entries.get(model);
    if (!entry) return { skipped: true };
    entry.model.send(content);
  },
  drop(_, client) {
    written(client); // what it wrote on the old socket is lost with it
    client.socket.close(1006); // (its onclose arms this client's reconnect timer)
    client.timers = timers.splice(0);
  },
  reconnect(_, client) {
    for (const callback of client.timers.splice(0)) callback();
    client.socket = FakeSocket.instances.at(-1);
    client.read = 0;
    client.socket.open();
  },
  forget({ client: id }, client) {
    clients.delete(id);
    FakeSocket.instances = FakeSocket.instances.filter((socket) => socket !== client.socket);
  },
  state(_, client) {
    const models = {};
    for (const [id, entry] of client.registry.entries) models[id] = entry.model.state;
    return { models, unacked: client.connection.unacked.size };
  },
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const command = JSON.parse(line);
  let reply;
  try {
    const extra = ops[command.op](command, clients.get(command.client)) ?? {};
    const client = clients.get(command.client);
    reply = { ...extra, sent: client ? written(client) : [] };
  } catch (error) {
    reply = { error: String(error?.stack ?? error) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
}
