"""Widget code (``_esm``/``_css``) as content-hashed, immutable assets.

Code is not state: browsers load it by URL, never receive it inside a model's state, and can
never write it. The same text always gets the same URL, so it is cached forever.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Asset:
    digest: str
    kind: str  # "js" or "css"
    text: str

    @property
    def filename(self) -> str:
        return f"{self.digest}.{self.kind}"

    @property
    def media_type(self) -> str:
        return "text/javascript" if self.kind == "js" else "text/css"


def is_href(text: str) -> bool:
    """anywidget's rule: code given as a URL is loaded from that URL as is."""
    return text.startswith(("http://", "https://")) and "\n" not in text.strip()


class AssetStore:
    """Reference-counted assets: an asset lives while some model uses it."""

    def __init__(self) -> None:
        self._assets: dict[str, Asset] = {}
        self._uses: dict[str, int] = {}
        self._lock = threading.Lock()

    def acquire(self, text: str, kind: str) -> Asset:
        digest = hashlib.sha256(text.encode()).hexdigest()[:24]
        with self._lock:
            asset = self._assets.get(digest)
            if asset is None:
                asset = self._assets[digest] = Asset(digest, kind, text)
            self._uses[digest] = self._uses.get(digest, 0) + 1
            return asset

    def release(self, asset: Asset | None) -> None:
        if asset is None:
            return
        with self._lock:
            left = self._uses.get(asset.digest, 0) - 1
            if left > 0:
                self._uses[asset.digest] = left
            else:
                self._uses.pop(asset.digest, None)
                self._assets.pop(asset.digest, None)

    def get(self, filename: str) -> Asset | None:
        digest, _, kind = filename.partition(".")
        asset = self._assets.get(digest)
        return asset if asset is not None and asset.kind == kind else None

    def __len__(self) -> int:
        return len(self._assets)
