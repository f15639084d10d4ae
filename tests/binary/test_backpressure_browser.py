"""Backpressure: update storms coalesce, stalled browsers are dropped with a reason and resync,
slow Python code pauses reading instead of buffering without bound."""

from __future__ import annotations

import logging
import threading

from fasthtml.common import Titled
from playwright.sync_api import expect

from fh_anywidget.connection import ConnectionState
from fh_anywidget.models import registry
from tests.apps import make_app
from tests.binary.widgets import Probe
from tests.conftest import wait_until

MiB = 1024 * 1024

# Records how the page's socket closes, so a test can see the reason the server gave.
RECORD_CLOSES = """
globalThis.closes = [];
const Native = WebSocket;
globalThis.WebSocket = class extends Native {
  constructor(...args) {
    super(...args);
    this.addEventListener("close", (e) => closes.push({ code: e.code, reason: e.reason }));
  }
};
"""

# Blocks the page's main thread (so it reads nothing from its socket) until the test releases it.
STALL = """() => setTimeout(() => {
  for (;;) {
    const xhr = new XMLHttpRequest();
    xhr.open("GET", "/_test/release", false);
    xhr.send();
    if (xhr.responseText === "go") return;
  }
}, 0)"""


def probe_page(serve, page, **host_options):
    app, rt, _ = make_app(**host_options)
    made: list[Probe] = []
    release = threading.Event()

    @rt("/")
    def index():
        made.append(Probe())
        return Titled("Backpressure", made[-1])

    @rt("/_test/release")
    def released():
        return "go" if release.wait(0.05) else "wait"

    page.add_init_script(RECORD_CLOSES)
    page.goto(serve(app).url)
    expect(page.locator(".probe")).to_have_text("probe ready")
    (connection,) = registry.get(made[0].model_id).subscribers
    return made[0], connection, release


def test_a_storm_of_100k_sets_ends_at_the_final_value(serve, page):
    probe, _, _ = probe_page(serve, page)
    for i in range(100_000):
        probe.value = i
    # A socket that keeps up is sent every value (kernel socket buffers hold most of the storm),
    # so the page may take seconds to work through them on a slow machine: wait for the end.
    expect(page.locator(".probe")).to_have_text("value 99999", timeout=120_000)
    assert not page.console_errors


def test_stalled_browser_gets_merged_updates_then_is_dropped_with_a_reason_and_resyncs(
        serve, page, caplog):
    probe, connection, release = probe_page(serve, page, max_backlog=160 * MiB)
    page.evaluate(STALL)
    # More than every socket buffer between here and the page's main thread can hold: the
    # writer is stuck in this message for as long as the page is stalled.
    probe.send({"big": True}, buffers=[bytes(128 * MiB)])

    for i in range(100_000):
        probe.value = i
    # Memory stays flat: far behind, 100,000 changes merge into one pending update.
    assert len(connection.outbox) <= 2 and connection.outbox.merged >= 99_990

    # Custom messages are never merged or dropped silently: past max_backlog the client goes.
    caplog.set_level(logging.WARNING, logger="fh_anywidget")
    sent = 0
    while connection.state is ConnectionState.OPEN and sent < 64:
        probe.send({"small": True}, buffers=[bytes(MiB)])
        sent += 1
    assert connection.state is not ConnectionState.OPEN and 30 <= sent <= 33
    assert connection.outbox.nbytes == 0
    wait_until(lambda: any("dropping a page socket" in r.getMessage() for r in caplog.records),
               what="the server to log why it dropped the client")

    release.set()
    page.wait_for_function("() => closes.length > 0")
    assert page.evaluate("() => closes[0]") == {
        "code": 4408, "reason": f"client fell more than {160 * MiB} bytes of messages behind"}
    # The page reconnects by itself and resyncs from the server's state.
    expect(page.locator(".probe")).to_have_text("value 99999")
    probe.value = 5
    expect(page.locator(".probe")).to_have_text("value 5")


def test_a_client_that_keeps_up_receives_every_value_in_order(serve, page):
    """As from a Jupyter kernel: an event-style trait set to a value and straight back reaches
    the view twice (updates are merged only for a socket that fell behind)."""
    probe, _, _ = probe_page(serve, page)
    page.evaluate("""() => { globalThis.seen = [];
                             probe.on("change:value", () => seen.push(probe.get("value"))); }""")
    for i in range(1, 201):
        probe.value = i
        probe.value = 0
    page.wait_for_function("() => seen.length === 400")
    assert page.evaluate("() => seen") == [v for i in range(1, 201) for v in (i, 0)]


class SlowProbe(Probe):
    """Handles custom messages only when the test lets it."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.on_msg(lambda *_: self.entered.set() or self.gate.wait(30))


def test_slow_python_pauses_reading_instead_of_buffering(serve, page):
    app, rt, host = make_app(max_inbound=1 * MiB)
    made: list[SlowProbe] = []

    @rt("/")
    def index():
        made.append(SlowProbe())
        return Titled("Slow", made[-1])

    page.goto(serve(app).url)
    expect(page.locator(".probe")).to_have_text("probe ready")
    probe = made[0]
    record = registry.get(probe.model_id)
    budget = host.server.shared.budget
    page.evaluate("""() => { for (let i = 0; i < 40; i++)
                               probe.send({ i }, undefined, [new ArrayBuffer(256 * 1024)]); }""")
    assert probe.entered.wait(10), "the first message never reached Python"
    # a session may hold 3/4 of the host's inbound budget: three of these messages
    wait_until(lambda: budget.used == 3 * 256 * 1024, what="the reader to reach the bound")
    # The reader stopped at the first message over the bound: the rest waits in the socket.
    assert len(record.inbox) + 1 == 3
    probe.gate.set()
    wait_until(lambda: len(probe.received) == 40, what="every message, once Python catches up")
    assert [content["i"] for content, _ in probe.received] == list(range(40))
    wait_until(lambda: budget.used == 0, what="every reservation given back")
    assert not page.console_errors
