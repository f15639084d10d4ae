"""quak: a default-export factory with initialize; the browser runs SQL through custom messages
and Python answers with Arrow IPC tables in message buffers (10,000-row DataFrame)."""

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.conftest import wait_until
from tests.corpus.conftest import console_problems

quak = pytest.importorskip("quak")
pd = pytest.importorskip("pandas")

N = 10_000


def frame():
    rng = np.random.default_rng(3)
    return pd.DataFrame({
        "id": np.arange(N),
        "score": rng.normal(size=N).round(3),
        "kind": rng.choice(["apple", "pear", "plum"], N, p=[0.5, 0.3, 0.2]),
    })


def test_quak_filter_and_sort_through_its_ui(show):
    made = []
    df = frame()

    def factory():
        made.append(quak.Widget(df))
        return made[-1]

    shown = show(factory)
    page, widget = shown.page, made[0]
    root = page.locator("fh-anywidget")
    expect(root.get_by_text("10,000 rows")).to_be_visible()
    expect(root.get_by_text("apple").first).to_be_visible()

    # Filter: click the "plum" bar of the kind column's category summary (quak lays a clear
    # overlay on the bars and picks by pointer position, so click where the bar is drawn).
    bar = root.locator('div[title="plum"]').bounding_box()
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    wait_until(lambda: "plum" in widget.sql and "WHERE" in widget.sql.upper(),
               what="Python to see the filtered query")
    plums = int((df["kind"] == "plum").sum())
    # Only Python holds the data: the count and rows the page shows are its Arrow replies.
    expect(root.get_by_text(re.compile(rf"^{plums:,} (of {N:,} )?rows$"))).to_be_visible()

    # Sort: hover the score column's header to reveal its sort button, click it.
    header = root.locator("th", has_text="score")
    header.hover()
    header.locator(".sort-button").click()
    wait_until(lambda: "ORDER BY" in widget.sql.upper(), what="Python to see the sorted query")
    descending = "DESC" in widget.sql.upper()
    first = df[df["kind"] == "plum"].sort_values("score", ascending=not descending).iloc[0]
    first_row = root.locator("tbody tr").first
    expect(first_row).to_contain_text(f"{first['id']:,}")
    expect(first_row).to_contain_text(f"{first['score']:.3f}")
    expect(first_row).to_contain_text("plum")
    assert not console_problems(page), page.console_errors
