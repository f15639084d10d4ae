"""Classic controls render with the official front end and are live both ways, beside and
inside anywidgets, over the page's one socket."""

import anywidget
import ipywidgets as w
import pytest
import traitlets
from playwright.sync_api import expect

from tests.conftest import wait_until, writes_settled
from tests.widgets.counter import Counter


def controls():
    slider = w.IntSlider(value=3, min=0, max=10, description="n")
    text = w.Text(value="hi", description="t")
    dropdown = w.Dropdown(options=["red", "green", "blue"], value="red", description="c")
    check = w.Checkbox(value=False, description="on")
    button = w.Button(description="press")
    clicks: list[int] = []
    button.on_click(lambda b: clicks.append(len(clicks)))
    return [slider, text, dropdown, check, button], clicks


def nested():
    counter = Counter(value=1)
    styled = w.IntSlider(value=5, layout=w.Layout(width="420px"),
                         style={"handle_color": "rgb(255, 0, 0)"})
    inner = w.HBox([w.Label("inside"), counter])
    box = w.VBox([inner, styled], layout=w.Layout(border="3px solid rgb(0, 128, 0)"))
    return box, counter, styled


def linked():
    a = w.IntSlider(value=1, description="a")
    b = w.IntText(value=1, description="b")
    link = w.jslink((a, "value"), (b, "value"))
    return w.VBox([a, b]), link


@pytest.fixture(scope="module", autouse=True)
def routes(classic_app):
    classic_app.route("/controls", controls)
    classic_app.route("/nested", nested)
    classic_app.route("/linked", linked)
    classic_app.route("/framed", framed)


def test_controls_two_way(live, page):
    (slider, text, dropdown, check, button), clicks = live.open(page, "/controls")
    readout = page.locator(".widget-slider .widget-readout")
    expect(readout).to_have_text("3")
    slider.value = 7  # Python → browser
    expect(readout).to_have_text("7")
    page.locator(".widget-slider .noUi-handle").focus()
    page.keyboard.press("ArrowRight")  # browser → Python, through the slider's own handle
    wait_until(lambda: slider.value == 8, what="slider reaches Python")

    box = page.locator(".widget-text input")
    expect(box).to_have_value("hi")
    box.fill("hello")
    box.press("Enter")
    wait_until(lambda: text.value == "hello", what="text reaches Python")

    page.locator(".widget-dropdown select").select_option("blue")
    wait_until(lambda: dropdown.value == "blue", what="dropdown reaches Python")
    dropdown.value = "green"
    expect(page.locator(".widget-dropdown select")).to_have_value("green")

    page.locator(".widget-checkbox input").check()
    wait_until(lambda: check.value is True, what="checkbox reaches Python")

    page.get_by_role("button", name="press").click()
    page.get_by_role("button", name="press").click()
    wait_until(lambda: len(clicks) == 2, what="on_click runs per click")
    button.description = "pressed"
    expect(page.get_by_role("button", name="pressed")).to_be_visible()
    writes_settled(page)
    assert not page.console_errors, page.console_errors


def test_anywidget_inside_containers_with_layout_and_style(live, page):
    box, counter, styled = live.open(page, "/nested")
    button = page.locator(".widget-vbox .widget-hbox button.counter")
    expect(button).to_have_text("count is 1")
    button.click()
    wait_until(lambda: counter.value == 2, what="the nested anywidget writes")
    counter.value = 10
    expect(button).to_have_text("count is 10")

    vbox = page.locator(".widget-vbox").first
    expect(vbox).to_have_css("border-top-color", "rgb(0, 128, 0)")
    slider = page.locator(".widget-slider")
    expect(slider).to_have_css("width", "420px")
    expect(slider.locator(".noUi-handle")).to_have_css("background-color", "rgb(255, 0, 0)")
    styled.layout.width = "300px"  # a Layout model changed from Python
    expect(slider).to_have_css("width", "300px")
    styled.style.handle_color = "rgb(0, 0, 255)"
    expect(slider.locator(".noUi-handle")).to_have_css("background-color", "rgb(0, 0, 255)")

    # children reassigned from Python: a new widget arrives, an old one leaves
    box.children = [w.Button(description="fresh"), box.children[0]]
    expect(page.get_by_role("button", name="fresh")).to_be_visible()
    expect(page.locator(".widget-slider")).to_have_count(0)
    expect(button).to_have_text("count is 10")
    assert not page.console_errors, page.console_errors


def test_jslink_runs_in_the_browser(live, page):
    box, _link = live.open(page, "/linked")
    a, b = box.children
    number = page.locator(".widget-text input")
    expect(number).to_have_value("1")
    a.value = 40  # Python moves a; the browser's link moves b, and b's write reaches Python
    expect(number).to_have_value("40")
    wait_until(lambda: b.value == 40, what="the linked value reaches Python")
    number.fill("12")
    number.press("Enter")
    expect(page.locator(".widget-slider .widget-readout")).to_have_text("12")
    wait_until(lambda: a.value == 12 and b.value == 12, what="both ends reach Python")
    writes_settled(page)
    assert not page.console_errors, page.console_errors


class Frame(anywidget.AnyWidget):
    """An anywidget that renders a classic child through host.getWidget."""

    _esm = """
    export default {
      async render({ model, el, host }) {
        const frame = document.createElement("section");
        frame.className = "frame";
        el.append(frame);
        const child = await host.getWidget(model.get("child"));
        await child.render({ el: frame });
      },
    };
    """
    child = traitlets.Instance(w.Widget).tag(sync=True, **w.widget_serialization)


def framed():
    slider = w.IntSlider(value=2)
    return Frame(child=slider), slider


def test_anywidget_renders_a_classic_child(live, page):
    _, slider = live.open(page, "/framed")
    readout = page.locator("section.frame .widget-slider .widget-readout")
    expect(readout).to_have_text("2")
    slider.value = 9
    expect(readout).to_have_text("9")
    assert not page.console_errors, page.console_errors
