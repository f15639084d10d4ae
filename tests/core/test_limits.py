"""Messages over the host's limits are refused once, clearly, and never resent (issue 10,
items 2 and 7)."""

from __future__ import annotations

from fasthtml.common import Div
from playwright.sync_api import expect

from tests.apps import make_app
from tests.conftest import wait_until
from tests.security.peer import Visitor
from tests.widgets.counter import Counter

MiB = 1024 * 1024


def test_a_refusal_at_the_header_names_the_message_so_it_is_not_resent(serve):
    app, rt, _ = make_app(max_payload=1024)

    @rt("/")
    def index():
        return Div(Counter())

    visitor = Visitor(serve(app).url)
    token, (model,) = visitor.page()
    with visitor.peer(token) as p:
        p.attached()
        p.send({"type": "update", "model": model, "state": {"value": None},
                "buffer_paths": [["value"]], "seq": 7}, [b"x" * 2048])
        error = p.error()
        assert error["seq"] == 7 and error["model"] == model and "max_payload" in error["message"]
        p.send({"type": "custom", "model": model, "content": {}, "seq": 8}, [b"x" * 2048])
        assert p.error()["seq"] == 8
        assert p.alive()


TEXT_WIDGET_PAGE = """() => {
  globalThis.closes = 0; globalThis.errors = [];
  const runtime = [...fhAnywidget.runtimes.values()][0];
  runtime.connection.ws.addEventListener("close", () => closes++);
  document.addEventListener("fh-anywidget:error", (e) => errors.push(e.detail.message));
  const model = [...runtime.registry.entries.values()].find((e) => e.widget).model;
  model.set("value", "x".repeat(17 * 1024 * 1024));  // over uvicorn's 16 MiB frame limit too
  model.save_changes();
  return model.model_id;
}"""


def test_a_json_header_over_the_limit_is_refused_in_the_browser_and_the_socket_lives(serve, page):
    app, rt, _ = make_app()
    made: list[Counter] = []

    @rt("/")
    def index():
        made.append(Counter(value=3))
        return Div(made[-1])

    page.goto(serve(app).url)
    expect(page.locator("button.counter")).to_have_text("count is 3")
    page.evaluate(TEXT_WIDGET_PAGE)
    page.wait_for_function("() => errors.length === 1")
    assert "max_message" in page.evaluate("() => errors[0]")
    expect(page.locator("button.counter")).to_have_text("count is 3")  # snapped back
    page.locator("button.counter").click()  # the same socket still carries writes
    expect(page.locator("button.counter")).to_have_text("count is 4")
    wait_until(lambda: made[0].value == 4, what="the click to reach Python")
    assert page.evaluate("() => closes") == 0
    assert page.evaluate("() => [...fhAnywidget.runtimes.values()][0].connection.unacked.size") == 0
    page.console_errors.clear()  # the refusal is logged to the console, as it should be
