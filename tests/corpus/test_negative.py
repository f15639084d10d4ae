"""Widgets that cannot work offline fail loudly in place — a visible error box where the widget
would be and a record in the server log — while the other widgets on the page keep working."""

import logging
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_until
from tests.widgets.counter import Counter

d2_widget = pytest.importorskip("d2_widget")
wigglystuff = pytest.importorskip("wigglystuff")

PLOT = 'Plot.plot({marks: [Plot.barY(rows, {x: "k", y: "v"})]})'


def test_offline_failures_are_visible_and_logged(show, context, caplog):
    caplog.set_level(logging.ERROR, logger="fh_anywidget.browser")
    made = []

    def factory():
        made[:] = [d2_widget.Widget("x -> y"),
                   wigglystuff.ObservablePlot(PLOT, variables={"rows": [{"k": "a", "v": 1}]}),
                   Counter(value=1)]
        return tuple(made)

    page = show(factory).page
    _, plot, counter = made
    items = page.locator(".corpus-item")

    # d2's module imports from esm.sh: the host's error box names the widget, phase and host.
    d2_box = items.nth(0).locator(".fh-anywidget-error")
    expect(d2_box).to_be_visible()
    expect(d2_box).to_contain_text("d2_widget._widget.Widget failed to load")
    expect(d2_box).to_contain_text("https://esm.sh/@terrastruct/d2")
    logged = wait_until(lambda: [r for r in caplog.records if "d2_widget" in r.getMessage()],
                        what="the server log to record the d2 failure")
    assert "load" in logged[0].getMessage() and "esm.sh" in logged[0].getMessage()

    # ObservablePlot catches its own failure (observable-plot.js, run()): it shows it in place and
    # reports it to Python through its `error` trait; the host never sees a failure to report.
    expect(items.nth(1)).to_contain_text("Failed to load Observable Plot")
    wait_until(lambda: "Failed to load Observable Plot" in plot.error,
               what="Python to hear of the plot's failure")

    # The working widget on the same page is undisturbed.
    page.locator("button.counter").click()
    wait_until(lambda: counter.value == 2, what="the working widget to keep working")
    counter.value = 5
    expect(page.locator("button.counter")).to_have_text("count is 5")

    # Every attempt to leave the machine was one of the widgets' CDN imports, and was blocked.
    hosts = {urlparse(u).hostname for u in context.offsite_requests}
    assert hosts <= {"esm.sh", "cdn.jsdelivr.net"}, context.offsite_requests
    context.offsite_requests.clear()
