"""ipywidgets' Output without a kernel: what code prints, displays or raises inside ``with out:``
shows in that Output (from handlers, callbacks and threads), and never on the server's stdout."""

import threading

import ipywidgets as w
import pytest
from IPython.display import HTML, clear_output, display
from playwright.sync_api import expect

from tests.conftest import wait_until


def printing():
    out = w.Output()
    button = w.Button(description="go")
    displayed = []
    with out:  # in the route handler
        print("from the handler")
        display(HTML("<b class='rich'>bold</b>"))

    @out.capture()
    def decorated():
        print("from capture()")

    decorated()

    def clicked(_):
        with out:  # in an on_click callback, on a worker thread
            print("clicked")
            displayed.append(w.IntSlider(value=4, description="shown"))
            display(displayed[-1])
            raise ValueError("boom in a callback")

    button.on_click(clicked)
    return [button, out], out, displayed


def interacting():
    def square(x):
        print(f"square is {x * x}")

    return w.interactive(square, x=w.IntSlider(value=3, min=0, max=9))


def manual():
    def cube(x):
        print(f"cube is {x ** 3}")

    return w.interact_manual(cube, x=w.IntSlider(value=2)).widget


@pytest.fixture(scope="module", autouse=True)
def routes(classic_app):
    classic_app.route("/print", printing)
    classic_app.route("/interactive", interacting)
    classic_app.route("/manual", manual)


def test_output_captures_prints_displays_and_tracebacks(live, page, capfd):
    _, out, displayed = live.open(page, "/print")
    area = page.locator(".widget-output")
    expect(area).to_contain_text("from the handler")
    expect(area.locator("b.rich")).to_have_text("bold")
    expect(area).to_contain_text("from capture()")

    page.get_by_role("button", name="go").click()
    expect(area).to_contain_text("clicked")
    expect(area).to_contain_text("ValueError: boom in a callback")
    shown = area.locator(".widget-slider")  # a widget displayed inside the Output is live
    expect(shown.locator(".widget-readout")).to_have_text("4")
    displayed[0].value = 6
    expect(shown.locator(".widget-readout")).to_have_text("6")

    def from_a_thread():
        with out:
            print("from a thread")
        out.append_stderr("to stderr")

    thread = threading.Thread(target=from_a_thread)
    thread.start()
    thread.join()
    expect(area).to_contain_text("from a thread")
    expect(area.locator(".fh-anywidget-output-stderr")).to_have_text("to stderr")

    out.clear_output()
    expect(area).to_have_text("")
    with out:
        print("before")
        clear_output(wait=True)  # IPython's own, as interact calls it
        print("after")
    expect(area).to_have_text("after")

    printed = capfd.readouterr()
    for text in ("from the handler", "from capture()", "clicked", "boom", "from a thread", "before", "after"):
        assert text not in printed.out + printed.err, printed
    assert not page.console_errors, page.console_errors


def test_interactive_reruns_on_change(live, page):
    ui = live.open(page, "/interactive")
    area = page.locator(".widget-output")
    expect(area).to_have_text("square is 9")
    ui.children[0].value = 5
    expect(area).to_have_text("square is 25")
    page.locator(".widget-slider .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    expect(area).to_have_text("square is 36")
    wait_until(lambda: ui.children[0].value == 6, what="the slider reaches Python")


def test_interact_manual_runs_on_its_button(live, page, capfd):
    ui = live.open(page, "/manual")
    area = page.locator(".widget-output")
    ui.children[0].value = 3
    expect(page.get_by_role("button", name="Run Interact")).to_be_visible()
    expect(area).to_have_text("")
    page.get_by_role("button", name="Run Interact").click()
    expect(area).to_have_text("cube is 27")
    printed = capfd.readouterr()
    assert "interactive" not in printed.out and "cube" not in printed.out, printed
