"""Views are custom elements: they live exactly as long as their element (issue 2, point 5)."""

import anywidget
import traitlets
from fasthtml.common import Button, Div
from playwright.sync_api import expect

from tests.apps import make_app
from tests.conftest import wait_until
from tests.core.helpers import subscribers


class Lifecycle(anywidget.AnyWidget):
    """Counts its initialize calls, renders and view teardowns in window globals."""

    _esm = """
    export default {
      initialize({ model }) { window.inits = (window.inits ?? 0) + 1; },
      render({ model, el, signal }) {
        window.renders = (window.renders ?? 0) + 1;
        el.innerHTML = `<span class="life">${model.get("label")}</span>`;
        signal.addEventListener("abort", () => { window.aborts = (window.aborts ?? 0) + 1; });
      },
    };
    """
    label = traitlets.Unicode("x").tag(sync=True)


def sockets_mirroring(model_id):
    return len(subscribers(model_id))


def test_htmx_swaps_render_and_tear_down_views(serve, page):
    app, rt, _ = make_app()
    made = []

    @rt("/")
    def index():
        return Div(Button("load", id="load", hx_get="/fragment", hx_target="#slot"),
                   Button("clear", id="clear", hx_get="/empty", hx_target="#slot"),
                   Div(id="slot"))

    @rt("/fragment")
    def fragment():
        made.append(Lifecycle(label=f"swapped in {len(made)}"))
        return Div(made[-1])

    @rt("/empty")
    def empty():
        return Div("nothing here")

    page.goto(serve(app).url)
    page.click("#load")
    expect(page.locator("span.life")).to_have_text("swapped in 0")
    model_id = made[0].model_id
    assert sockets_mirroring(model_id) == 1
    page.click("#clear")
    expect(page.locator("span.life")).to_have_count(0)
    page.wait_for_function("() => window.aborts === 1")  # the view's signal was aborted
    # the fragment's page was detached: the socket stops mirroring its widget
    wait_until(lambda: sockets_mirroring(model_id) == 0, what="the server to hear of the teardown")
    page.click("#load")  # a second fragment: a new page token on the same socket
    expect(page.locator("span.life")).to_have_text("swapped in 1")
    assert page.evaluate("() => [window.inits, window.renders, window.aborts]") == [2, 2, 1]


def test_a_moved_element_keeps_its_view(serve, page):
    app, rt, _ = make_app()

    @rt("/")
    def index():
        return Div(Div(Lifecycle(label="moving"), id="a"), Div(id="b"))

    page.goto(serve(app).url)
    expect(page.locator("span.life")).to_have_text("moving")
    page.evaluate("() => document.getElementById('b').append(document.querySelector('fh-anywidget'))")
    expect(page.locator("#b span.life")).to_have_text("moving")
    page.evaluate("() => new Promise(requestAnimationFrame)")
    assert page.evaluate("() => [window.inits, window.renders, window.aborts ?? 0]") == [1, 1, 0]
    page.evaluate("() => document.querySelector('fh-anywidget').remove()")
    page.wait_for_function("() => window.aborts === 1")
