"""Absolute links for e-mails and other text that leaves the site."""
from __future__ import annotations

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """An absolute URL under BASE_URL; works outside a request (CLI, tick jobs). `_anchor` adds a fragment."""
    anchor = values.pop("_anchor", None)
    adapter = current_app.url_map.bind("localhost")
    url = current_app.config["BASE_URL"].rstrip("/") + adapter.build(endpoint, values)
    return f"{url}#{anchor}" if anchor else url
