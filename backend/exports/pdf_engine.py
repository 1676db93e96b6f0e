"""WeasyPrint, kept behind one function so that it is imported only when a report is made."""

from __future__ import annotations

from typing import Any

from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]


class DataOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Lets WeasyPrint read ``data:`` URIs and nothing else (no network, no file system)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not url.startswith("data:"):
            raise ValueError("the report reads only data: URIs")
        return super().fetch(url, headers)


def render_pdf(html: str) -> bytes:
    """The PDF of ``html``, which may only reference ``data:`` URIs."""
    document = HTML(string=html, url_fetcher=DataOnlyFetcher(), base_url=None)
    return bytes(document.write_pdf())
