// In-page benchmark driver for P1 (pull), P2 (push), P3 (round trip) and P5 (storm). The page
// times itself (no browser driver attached: CDP slows WebSocket transfers) and posts the
// numbers to the loopback collector of `python -m bench`. Each host measurement is interleaved
// with the same job done over a bare binary WebSocket to the same server ("raw").

const q = new URLSearchParams(location.search);
const scenario = q.get("scenario");
const post = (data) => fetch(q.get("collector"), {
  method: "POST", mode: "no-cors", body: JSON.stringify({ scenario, ...data }),
});

const model = globalThis.benchProbe ?? await new Promise((ok) => { globalThis.benchModel = ok; });

const raw = new WebSocket(`ws://${location.host}/raw/ws`);
raw.binaryType = "arraybuffer";
await new Promise((ok) => { raw.onopen = ok; });
const rawReply = () => new Promise((ok) => { raw.onmessage = (e) => ok(e.data); });

/** Resolves at the first change of `key` whose new value satisfies `test`. */
const changed = (key, test) => new Promise((ok) => {
  const listener = () => {
    if (!test(model.get(key))) return;
    model.off(`change:${key}`, listener);
    ok();
  };
  model.on(`change:${key}`, listener);
});

const MiB = 1024 * 1024;
const sizes = (name, fallback) => (q.get(name) ?? fallback).split(",").map(Number);
const reps = (size) => (size <= MiB ? 9 : size <= 8 * MiB ? 7 : size <= 32 * MiB ? 5 : 3);
let seq = 0;

async function timed(job) {
  const start = performance.now();
  await job();
  return performance.now() - start;
}

/** Host and raw alternate, and which goes first alternates too. */
async function interleaved(n, host, rawJob, record) {
  for (let i = 0; i < n; i++) {
    if (i % 2) record({ kind: "raw", i, ms: await timed(rawJob) });
    record({ kind: "host", i, ms: await timed(host) });
    if (!(i % 2)) record({ kind: "raw", i, ms: await timed(rawJob) });
  }
}

async function pull() {
  for (const size of sizes("sizes", "1,8,32,256")) {
    const bytes = size * MiB;
    raw.send(`pull ${bytes} 0`); // warm-up: the server makes its payloads on first use
    await rawReply();
    const host = async () => {
      const s = ++seq;
      const arrived = changed("down", (v) => v?.byteLength === bytes);
      model.set("pull", [bytes, s]);
      model.save_changes();
      await arrived;
    };
    const rawPull = async () => {
      const reply = rawReply();
      raw.send(`pull ${bytes} ${++seq}`);
      const data = await reply;
      if (data.byteLength !== bytes) throw new Error("short raw pull");
    };
    const results = [];
    await interleaved(reps(bytes), host, rawPull, (r) => results.push(r));
    await post({ size, results });
    model.set("down", null); // let both sides free the payload before the next size
  }
}

async function push() {
  for (const size of sizes("sizes", "1,8,32")) {
    const bytes = size * MiB;
    const buffer = new Uint8Array(bytes);
    for (let at = 0; at < bytes; at += 65536) crypto.getRandomValues(buffer.subarray(at, at + 65536));
    const stamp = new DataView(buffer.buffer);
    const host = async () => {
      stamp.setFloat64(0, ++seq);
      const expected = model.get("got") + 1;
      const acked = changed("got", (v) => v === expected);
      model.set("up", new Uint8Array(buffer.buffer));
      model.save_changes();
      await acked;
    };
    const rawPush = async () => {
      stamp.setFloat64(0, ++seq);
      const reply = rawReply();
      raw.send(buffer);
      if (Number(await reply) !== bytes) throw new Error("short raw push");
    };
    const results = [];
    await interleaved(reps(bytes), host, rawPush, (r) => results.push(r));
    await post({ size, results });
  }
}

async function roundTrip() {
  const n = Number(q.get("iterations") ?? 300);
  const warm = 30;
  const results = [];
  const host = async () => {
    const s = ++seq;
    const answered = changed("pong", (v) => v === s);
    model.set("ping", s);
    model.save_changes();
    await answered;
  };
  const rawEcho = async () => {
    const reply = rawReply();
    raw.send(`echo ${++seq}`);
    await reply;
  };
  await interleaved(warm + n, host, rawEcho, (r) => r.i >= warm && results.push(r));
  await post({ results });
}

async function storm() {
  const results = [];
  for (let rep = 0; rep < 3; rep++) {
    const n = 100_000 + rep;
    let events = 0;
    const count = () => events++;
    model.on("change:value", count);
    const shown = changed("value", (v) => v === n - 1);
    const looped = changed("loop_ms", () => true);
    const ms = await timed(async () => {
      model.set("storm", n);
      model.save_changes();
      await shown;
    });
    await looped;
    model.off("change:value", count);
    results.push({ kind: "host", n, ms, loop_ms: model.get("loop_ms"), events });
  }
  await post({ results });
}

try {
  await { P1: pull, P2: push, P3: roundTrip, P5: storm }[scenario]();
  await post({ done: true });
} catch (error) {
  await post({ done: true, error: String(error?.stack ?? error) });
}
