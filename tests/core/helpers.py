"""Browser-side helpers for core tests: talk to the page's runtime like a hostile or busy client."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from fh_anywidget.models import registry

RECORD_ERRORS = """() => {
  window.serverErrors = [];
  document.addEventListener("fh-anywidget:error", (e) => window.serverErrors.push(e.detail.message));
}"""

RAW_SEND = """([header]) => {
  const runtime = [...fhAnywidget.runtimes.values()][0];
  runtime.connection.send(header, []);
}"""


def record_server_errors(page: Page) -> None:
    page.evaluate(RECORD_ERRORS)


def raw_send(page: Page, header: dict[str, Any]) -> None:
    page.evaluate(RAW_SEND, [header])


def server_errors(page: Page) -> list[str]:
    return page.evaluate("() => window.serverErrors")


def browser_state(page: Page, model_id: str, key: str) -> Any:
    return page.evaluate(
        """([id, key]) => [...fhAnywidget.runtimes.values()][0].registry.entries.get(id)?.model.get(key)""",
        [model_id, key],
    )


def subscribers(model_id: str) -> set:
    record = registry.get(model_id)
    return set(record.subscribers) if record else set()
