// The page's one socket to the host: framing, attach tokens, reconnect with backoff.
// Framing (docs/protocol.md): a JSON header text frame, then the binary frames of the buffers
// it declares. Large buffers go out in chunks so no frame exceeds the server's frame limit.
// Delivery (docs/protocol.md): every update/custom gets a sequence number and is kept until the
// server acknowledges it; after a reconnect the unacknowledged ones are sent again, in order,
// and the server (which remembers this client's highest number) never applies one twice.

import { asBytes } from "./wire.js";

const CHUNK = 4 * 1024 * 1024;
const BACKOFF_MIN = 250;
const BACKOFF_MAX = 10_000;
// Close codes after which retrying cannot help (docs/protocol.md, "Close codes").
const FINAL_CLOSE = new Map([
  [1002, "the server closed the connection: protocol error"],
  [1003, "the server closed the connection: unexpected data"],
  [1009, "a message was larger than the server accepts"],
  [4401, "signed out: the server no longer accepts this page's connection"],
]);

/** A message this runtime will not send: the server would refuse it (see `limits`). */
export class MessageTooLarge extends Error {
  name = "MessageTooLarge";
}

/** A random id that works on plain-http origins too (crypto.randomUUID needs a secure one). */
export function randomId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Connection {
  /**
   * @param {string} path  the socket's URL path
   * @param {(header: any, buffers: DataView[]) => void} deliver
   * @param {{ onStatus?: (status: "online" | "offline" | "gone", reason?: string) => void,
   *           onOpen?: (tokens: string[], reconnected: boolean) => void }} hooks
   */
  constructor(path, deliver, hooks = {}) {
    this.path = path;
    this.deliver = deliver;
    this.hooks = hooks;
    this.tokens = new Map(); // page token -> how many views hold it
    this.outbox = []; // messages without a sequence number, waiting for the socket
    this.clientId = randomId();
    this.seq = 0;
    /** @type {Map<number, [any, Uint8Array[]]>} sequence number -> message, until acknowledged */
    this.unacked = new Map();
    /** the server's limits (its `hello`); until it speaks, only the frame limit is known */
    this.limits = { maxMessage: 16 * 1024 * 1024, maxPayload: Infinity };
    this.ws = null;
    this.attempt = 0;
    this.everOpened = false;
    this.incoming = null;
  }

  /** Present a page token; the server then opens that page's models on this socket. */
  attach(token) {
    const holders = this.tokens.get(token) ?? 0;
    this.tokens.set(token, holders + 1);
    if (holders > 0) return;
    // Held again before a queued detach went out: the detach must not follow the attach.
    this.outbox = this.outbox.filter(([h]) => !(h.type === "detach" && h.token === token));
    if (!this.ws) this.connect();
    else if (this.ws.readyState === WebSocket.OPEN) this.write({ type: "attach", token }, []);
  }

  /**
   * One holder of `token` is gone; when none is left, tell the server this document no longer
   * shows the page (it retires it after its grace period). Returns whether it was the last.
   */
  release(token) {
    const holders = this.tokens.get(token) ?? 0;
    if (holders > 1) this.tokens.set(token, holders - 1);
    if (holders !== 1) return false;
    this.tokens.delete(token);
    this.send({ type: "detach", token });
    return true;
  }

  connect() {
    const url = new URL(this.path, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const [first] = this.tokens.keys();
    if (first) url.searchParams.set("page", first);
    url.searchParams.set("client", this.clientId);
    const ws = (this.ws = new WebSocket(url));
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      this.attempt = 0;
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.hooks.onOpen?.([...this.tokens.keys()], reconnected);
      // The server cannot see what the handshake negotiated; say it, so it can warn about
      // compression (docs/protocol.md, "transport").
      if (ws.extensions) this.write({ type: "transport", extensions: ws.extensions }, []);
      // Every token held now (including those attached while connecting), then every message
      // not yet acknowledged, in sequence order, then the rest.
      for (const token of this.tokens.keys()) if (token !== first) this.write({ type: "attach", token }, []);
      for (const [header, bytes] of this.unacked.values()) this.write(header, bytes);
      const pending = this.outbox.splice(0);
      for (const [header, buffers] of pending) this.write(header, buffers);
      this.hooks.onStatus?.("online", reconnected ? "reconnected" : "connected");
    };
    ws.onmessage = (event) => this.receive(event.data);
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.incoming = null;
      const final = FINAL_CLOSE.get(event.code);
      if (final) {
        this.hooks.onStatus?.("gone", event.reason ? `${final} (${event.reason})` : final);
        return;
      }
      this.hooks.onStatus?.("offline", event.reason);
      const delay = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** this.attempt++);
      setTimeout(() => this.connect(), delay / 2 + Math.random() * delay / 2);
    };
  }

  /**
   * Send a message; buffers may be ArrayBuffers, typed arrays or DataViews. Updates and custom
   * messages are numbered and kept until acknowledged; returns the number (or undefined).
   * Throws MessageTooLarge, sending nothing, for a message the server would refuse for its size.
   */
  send(header, buffers = []) {
    const bytes = buffers.map(asBytes);
    const numbered = header.type === "update" || header.type === "custom";
    if (numbered) header.seq = this.seq + 1;
    const text = this.encode(header, bytes); // (throws before the number is taken)
    const open = this.ws?.readyState === WebSocket.OPEN;
    if (numbered) {
      this.seq = header.seq;
      this.unacked.set(header.seq, [header, bytes]);
    } else if (!open) {
      this.outbox.push([header, bytes]);
    }
    if (open) this.write(header, bytes, text);
    return header.seq;
  }

  /** The header's text; throws MessageTooLarge if the server would refuse the message. */
  encode(header, bytes) {
    header.buffers = bytes.map((b) => b.byteLength);
    const payload = header.buffers.reduce((n, length) => n + length, 0);
    if (payload > this.limits.maxPayload) {
      throw new MessageTooLarge(`${header.type} of ${payload} bytes of binary data is over the server's limit of ${this.limits.maxPayload} bytes (max_payload)`);
    }
    const text = JSON.stringify(header);
    if (text.length > this.limits.maxMessage) { // (characters, as the server counts them)
      throw new MessageTooLarge(`${header.type} of ${text.length} characters of JSON is over the server's limit of ${this.limits.maxMessage} (max_message)`);
    }
    return text;
  }

  /** The server applied (or refused) message `seq`: it will never be needed again. */
  acked(seq) {
    this.unacked.delete(seq);
  }

  write(header, bytes, text = undefined) {
    header.buffers = bytes.map((b) => b.byteLength);
    this.ws.send(text ?? JSON.stringify(header));
    for (const b of bytes) {
      if (b.byteLength <= CHUNK) {
        this.ws.send(b);
        continue;
      }
      for (let at = 0; at < b.byteLength; at += CHUNK) this.ws.send(b.subarray(at, at + CHUNK));
    }
  }

  receive(data) {
    if (typeof data === "string") {
      const header = JSON.parse(data);
      const lengths = header.buffers ?? [];
      if (lengths.length === 0) return this.deliver(header, []);
      this.incoming = { header, lengths, buffers: [], whole: null, filled: 0 };
      return;
    }
    const m = this.incoming;
    if (!m) return console.error("[fh-anywidget] binary frame without a header");
    const want = m.lengths[m.buffers.length];
    if (m.filled === 0 && data.byteLength === want) {
      m.buffers.push(new DataView(data)); // the common case: one frame, no copy
    } else {
      // A buffer split over frames: copy each frame into place as it arrives and let it go.
      if (m.filled + data.byteLength > want) {
        this.incoming = null;
        return console.error("[fh-anywidget] binary frame longer than its header declared");
      }
      m.whole ??= new Uint8Array(want);
      m.whole.set(new Uint8Array(data), m.filled);
      m.filled += data.byteLength;
      if (m.filled === want) {
        m.buffers.push(new DataView(m.whole.buffer));
        m.whole = null;
        m.filled = 0;
      }
    }
    if (m.buffers.length === m.lengths.length) {
      this.incoming = null;
      this.deliver(m.header, m.buffers);
    }
  }
}
