// Stand-ins for the few browser globals the runtime's pure parts touch, for `node --test`.
// (The browser tests run the same modules in real Chromium; these check their logic alone.)

export class FakeSocket {
  static OPEN = 1;
  static instances = [];

  constructor(url) {
    this.url = String(url);
    this.readyState = 0;
    this.sent = [];
    FakeSocket.instances.push(this);
  }

  send(frame) {
    this.sent.push(typeof frame === "string" ? JSON.parse(frame) : frame);
  }

  open() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }

  close(code = 1006, reason = "") {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  receive(header) {
    this.onmessage?.({ data: JSON.stringify(header) });
  }
}

export function installBrowserGlobals() {
  globalThis.CustomEvent ??= class CustomEvent extends Event {
    constructor(type, options = {}) {
      super(type, options);
      this.detail = options.detail ?? null;
    }
  };
  globalThis.WebSocket = FakeSocket;
  globalThis.location ??= new URL("http://127.0.0.1:5001/page");
  globalThis.document ??= Object.assign(new EventTarget(), { head: null });
  globalThis.sessionStorage ??= new Map();
}

/** A connection double for models and registries: records what they send. */
export function recordingConnection() {
  let seq = 0;
  return {
    sent: [],
    acknowledged: [],
    send(header, buffers = []) {
      if (header.type === "update" || header.type === "custom") header.seq = ++seq;
      this.sent.push(structuredClone(header));
      return header.seq;
    },
    acked(n) {
      this.acknowledged.push(n);
    },
  };
}
