"""Which models one page socket may touch, and which of its pages gave each.

A socket is given models only through page tokens it presents (docs/security.md): attaching a
page grants the page's models and everything they reference; a reference that appears later in a
granted model's state grants the child through the same pages. Each model is counted by the
pages that grant it; when a page is detached, the models no page of the socket grants any more
are returned, for the socket to unsubscribe and release on both sides.

Mutated on the event loop only (the socket's reader and writer); other threads only ask
:meth:`allows`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

PageT = TypeVar("PageT")


class Grants(Generic[PageT]):
    def __init__(self) -> None:
        self._pages: dict[str, PageT] = {}  # token -> page, in attach order
        self._given: dict[str, set[str]] = {}  # model -> tokens that grant it here

    def __len__(self) -> int:
        return len(self._given)

    @property
    def pages(self) -> list[PageT]:
        return list(self._pages.values())

    @property
    def tokens(self) -> list[str]:
        return list(self._pages)

    def holds(self, token: str) -> bool:
        return token in self._pages

    def allows(self, model_id: str) -> bool:
        return model_id in self._given

    def models(self) -> set[str]:
        return set(self._given)

    def through(self, token: str) -> list[str]:
        """The models ``token`` grants on this socket."""
        return [m for m, tokens in self._given.items() if token in tokens]

    def add_page(self, token: str, page: PageT, models: Iterable[str]) -> list[str]:
        """Grant ``models`` through a newly attached page; return those new to the socket."""
        self._pages[token] = page
        return self._grant(models, {token})

    def extend(self, parent: str, children: Iterable[str]) -> list[str]:
        """``parent`` now references ``children``: grant them through every page granting
        ``parent``; return those new to the socket."""
        tokens = self._given.get(parent)
        return self._grant(children, tokens) if tokens else []

    def _grant(self, models: Iterable[str], tokens: set[str]) -> list[str]:
        new = []
        for model_id in models:
            given = self._given.get(model_id)
            if given is None:
                self._given[model_id] = set(tokens)
                new.append(model_id)
            else:
                given.update(tokens)
        return new

    def remove_page(self, token: str) -> tuple[PageT | None, list[str]]:
        """Detach a page; return it and the models no longer granted by any page here."""
        page = self._pages.pop(token, None)
        if page is None:
            return None, []
        released = []
        for model_id, tokens in list(self._given.items()):
            tokens.discard(token)
            if not tokens:
                del self._given[model_id]
                released.append(model_id)
        return page, released

    def forget(self, model_id: str) -> None:
        """The model was closed: nothing grants it any more."""
        self._given.pop(model_id, None)

    def clear(self) -> list[PageT]:
        pages = list(self._pages.values())
        self._pages.clear()
        self._given.clear()
        return pages
