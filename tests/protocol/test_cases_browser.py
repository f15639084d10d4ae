"""The browser runtime's side of the protocol against the same shared examples."""

from fasthtml.common import P

from tests.apps import make_app
from tests.protocol.cases import CASES

CHECK = """async ({ base, cases }) => {
  const { Connection } = await import(base + "connection.js");
  const { putBuffers, splitBuffers } = await import(base + "wire.js");
  const hex = (s) => new Uint8Array((s.match(/../g) ?? []).map((h) => parseInt(h, 16)));
  const toHex = (v) => Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
                                  (b) => b.toString(16).padStart(2, "0")).join("");
  const plain = (v) => v instanceof DataView || ArrayBuffer.isView(v) ? { $bytes: toHex(v) }
    : Array.isArray(v) ? v.map(plain)
    : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
    : v;
  const decoded = (v) => v && typeof v === "object" && "$bytes" in v ? hex(v.$bytes)
    : Array.isArray(v) ? v.map(decoded)
    : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decoded(x)]))
    : v;
  const results = [];
  for (const c of cases) {
    // incoming: header text frame, then binary frames as ArrayBuffers
    let got = null;
    const conn = new Connection("/unused", (header, buffers) => { got = { header, buffers }; });
    conn.receive(JSON.stringify(c.header));
    for (const f of c.frames) conn.receive(hex(f).buffer);
    putBuffers(got.header.state, got.header.buffer_paths, got.buffers);
    const allDataViews = got.buffers.every((b) => b instanceof DataView && b.byteOffset === 0);
    // outgoing: split a state holding typed arrays back into paths + bytes
    const split = splitBuffers(decoded(c.state));
    const joined = split.buffers.map(toHex).join("");
    results.push({ state: plain(got.header.state), allDataViews, paths: split.paths, joined });
  }
  return results;
}"""


def test_runtime_decodes_and_splits_as_documented(serve, page):
    app, rt, host = make_app()

    @rt("/")
    def index():
        return P("protocol")

    server = serve(app)
    page.goto(server.url)
    base = server.url + host.server.runtime_url.rsplit("/", 1)[0] + "/"
    cases = CASES["messages"]
    results = page.evaluate(CHECK, {"base": base, "cases": cases})
    for case, result in zip(cases, results, strict=True):
        assert result["state"] == case["state"], case["name"]
        assert result["allDataViews"], case["name"]
        assert result["paths"] == case["header"]["buffer_paths"], case["name"]
        assert result["joined"] == "".join(case["frames"]), case["name"]
