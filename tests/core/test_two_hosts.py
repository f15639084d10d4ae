"""Two WidgetHosts in one process (two apps, two mount paths) each serve their own pages
(issue 10, item 8)."""

from __future__ import annotations

import pytest
from fasthtml.common import Div
from playwright.sync_api import expect

from fh_anywidget.render import render
from tests.apps import make_app
from tests.conftest import wait_until
from tests.widgets.counter import Counter


def test_two_hosts_in_one_process_each_serve_their_widgets_code_and_socket(serve, page):
    first_app, first_rt, first = make_app()
    second_app, second_rt, second = make_app(path="/widgets-two")
    made: dict[str, Counter] = {}

    @first_rt("/")
    def one():
        made["one"] = Counter(value=1)
        return Div(made["one"])

    @second_rt("/")
    def two():
        made["two"] = Counter(value=2)
        return Div(made["two"])

    urls = serve(first_app).url, serve(second_app).url
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    for url, name, value in ((urls[0], "one", 1), (urls[1], "two", 2)):
        page.goto(url)
        button = page.locator("button.counter")
        expect(button).to_have_text(f"count is {value}")
        button.click()
        expect(button).to_have_text(f"count is {value + 1}")
        wait_until(lambda n=name, v=value: made[n].value == v + 1, what="the click to reach Python")
    assert any(u.startswith(urls[0] + "/_fh_anywidget/assets/") for u in requested)
    assert any(u.startswith(urls[1] + "/widgets-two/assets/") for u in requested)
    assert not any(u.startswith(urls[1] + "/_fh_anywidget/") for u in requested)
    # outside any request, which host should render a widget? it says so instead of guessing
    with pytest.raises(RuntimeError, match="several WidgetHosts"):
        render(Counter())
    assert first.view(Counter()).attrs["socket"] == "/_fh_anywidget/ws"
    assert second.view(Counter()).attrs["socket"] == "/widgets-two/ws"
