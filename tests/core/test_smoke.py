from fasthtml.common import Titled
from playwright.sync_api import expect

from tests.apps import make_app
from tests.conftest import wait_until
from tests.widgets.counter import Counter


def test_counter_round_trip(serve, page):
    app, rt, _ = make_app()
    made = []

    @rt("/")
    def index():
        made.append(Counter(value=1))
        return Titled("Demo", made[-1])

    server = serve(app)
    page.goto(server.url)
    button = page.locator("button.counter")
    expect(button).to_have_text("count is 1")
    button.click()
    wait_until(lambda: made[0].value == 2, what="Python to see the click")
    made[0].value = 41
    expect(button).to_have_text("count is 41")
    assert not page.console_errors
