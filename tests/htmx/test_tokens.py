"""Page tokens a document holds: every one reaches the server, however early it was attached."""

from fastcore.xml import ft
from fasthtml.common import Titled
from playwright.sync_api import expect

from tests.apps import make_app
from tests.widgets.counter import Counter


def test_pages_attached_while_the_socket_is_still_connecting_all_open(serve, page):
    app, rt, host = make_app()

    @rt("/")
    def index(req):
        first = Counter(value=1)
        # A second page in the same document (as when HTML from two renders is combined): both
        # elements attach in one task, before the socket has opened.
        other_page = host.pages.create(host.server.identity(req.scope, True))
        second = Counter(value=2)
        other_page.show(second.model_id, second)
        return Titled("two pages", first,
                      ft("fh-anywidget", model=second.model_id, page=other_page.token,
                         socket=host.server.socket_path))

    page.goto(serve(app).url)
    expect(page.locator("button.counter")).to_have_text(["count is 1", "count is 2"])
    assert len(page.evaluate("fhAnywidget.tokens()")) == 2
    assert not page.console_errors
