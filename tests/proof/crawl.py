"""Walk the site as a logged-in user and collect its pages and POST forms (stdlib HTML parser)."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

SKIP_PREFIXES = ("/static/", "/logout", "/language/")


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, hidden, file, checkbox, number, email, password, datetime-local, …
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    page: str
    action: str
    fields: list[Field]
    multipart: bool = False

    @property
    def key(self) -> tuple:
        return self.action, tuple(sorted(f.name for f in self.fields))


class _PageParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        elif tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = Form(self.page, urljoin(self.page, a.get("action") or self.page), [],
                              (a.get("enctype") or "") == "multipart/form-data")
        elif self._form is not None and tag in ("input", "textarea", "select") and a.get("name"):
            kind = tag if tag != "input" else (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            f = Field(a["name"], kind)
            if kind in ("radio", "checkbox") and a.get("value"):
                f.options.append(a["value"])
            self._form.fields.append(f)
            if tag == "select":
                self._select = f
        elif tag == "option" and self._select is not None and a.get("value") is not None:
            self._select.options.append(a["value"])

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None


def parse(page: str, html: str) -> _PageParser:
    parser = _PageParser(page)
    parser.feed(html)
    return parser


def crawl(client, start: list[str], max_pages: int = 80) -> tuple[dict[str, str], list[Form]]:
    """Breadth-first over same-site links from `start`. Returns {path: html} and the distinct forms."""
    seen: dict[str, str] = {}
    forms: dict[tuple, Form] = {}
    queue = deque(start)
    while queue and len(seen) < max_pages:
        path = queue.popleft()
        if path in seen or path.startswith(SKIP_PREFIXES):
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.content_type:
            seen[path] = ""
            continue
        html = response.get_data(as_text=True)
        seen[path] = html
        parsed = parse("http://localhost" + path, html)
        for form in parsed.forms:
            form.action = _local(form.action)
            form.page = path
            forms.setdefault(form.key, form)
        for link in parsed.links:
            local = _local(link)
            if local and local not in seen:
                queue.append(local)
    return seen, list(forms.values())


def _local(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
