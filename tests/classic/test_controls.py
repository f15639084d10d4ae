"""Classic controls render with the official front end and are live both ways."""

import ipywidgets as w
import pytest
from playwright.sync_api import expect

from tests.conftest import wait_until, writes_settled


def controls():
    slider = w.IntSlider(value=3, min=0, max=10, description="n")
    text = w.Text(value="hi", description="t")
    return slider, text


@pytest.fixture(scope="module", autouse=True)
def routes(classic_app):
    classic_app.route("/controls", controls)


def test_slider_and_text_two_way(live, page):
    slider, text = live.open(page, "/controls")
    readout = page.locator(".widget-slider .widget-readout")
    expect(readout).to_have_text("3")
    slider.value = 7
    expect(readout).to_have_text("7")
    box = page.locator(".widget-text input")
    expect(box).to_have_value("hi")
    box.fill("hello")
    box.press("Enter")
    wait_until(lambda: text.value == "hello", what="text reaches Python")
    writes_settled(page)
    assert not page.console_errors, page.console_errors
