"""
A crawl through the pages a signed-in person is offered, with Django's test client.

Starting from a few pages, it follows every same-origin link a page offers: ``<a href>``,
pictures, style sheets and scripts, the target of a redirect, and the action of a GET form
sent with the form's own values. Only HTML pages are read for more links; files are fetched
(their whole body, so a file that fails half-way counts) but not read. Each normalized URL
is visited once. The admin's lists offer a link for every filter, sort and page, and every
page reached offers more combinations of them; under ``/admin/`` a path is visited with a
bounded number of query strings of each shape (the same parameter names): every value of one
filter (up to ``variants_per_filter``), a couple of each combination, and one of the state the
admin carries along (``_popup``, ``_to_field``), so the crawl ends. The filters a list carries
to a change page (``_changelist_filters``) only change where that page leads back to, so the
change page is visited once.
"""

from __future__ import annotations

import traceback
from collections import defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.test import Client

# Carried from a list to its change pages; the page is the same page with or without it.
CARRIED_FILTERS = "_changelist_filters"
# Links a crawl must not follow: signing out would end the crawl half-way.
NEVER_FOLLOW = ("logout",)
FILE_TAGS = {"img": "src", "script": "src", "link": "href", "source": "src"}


@dataclass
class _Form:
    action: str
    values: list[tuple[str, str]] = field(default_factory=list)
    select: str | None = None  # the select being read, its first option kept as a default
    select_value: str | None = None
    select_chosen: bool = False


class LinkParser(HTMLParser):
    """The URLs an HTML page offers, and its ``<html lang>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self.lang = ""
        self._form: _Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.lang = attributes.get("lang", "")
        elif tag in ("a", "area") and "href" in attributes:
            self.links.append(attributes["href"])
        elif tag in FILE_TAGS and attributes.get(FILE_TAGS[tag]):
            self.links.append(attributes[FILE_TAGS[tag]])
        elif tag == "form":
            if attributes.get("method", "get").lower() == "get":
                self._form = _Form(action=attributes.get("action", ""))
            else:
                self._form = None
        elif self._form is not None:
            self._form_field(tag, attributes)

    def _form_field(self, tag: str, attributes: dict[str, str]) -> None:
        form = self._form
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            form.values.append((name, attributes.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            form.select, form.select_value, form.select_chosen = name, None, False
        elif tag == "option" and form.select:
            value = attributes.get("value", "")
            if form.select_value is None or ("selected" in attributes and not form.select_chosen):
                form.select_value = value
                form.select_chosen = "selected" in attributes

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if form is None:
            return
        if tag == "select" and form.select:
            if form.select_value is not None:
                form.values.append((form.select, form.select_value))
            form.select = None
        elif tag == "form":
            self.forms.append((form.action, form.values))
            self._form = None


@dataclass(frozen=True)
class Visit:
    url: str
    status: int
    referrer: str
    content_type: str = ""
    lang: str = ""
    error: str = ""


@dataclass
class CrawlResult:
    visits: dict[str, Visit]
    skipped_variants: int

    @property
    def failures(self) -> list[Visit]:
        return [visit for visit in self.visits.values() if visit.status >= 500]

    def report(self) -> str:
        """Every failure with the page that linked to it and where it was raised."""
        return "\n".join(
            f"{visit.status} {visit.url}\n    linked from {visit.referrer}\n    {visit.error}".rstrip()
            for visit in self.failures
        )

    def pages(self) -> list[Visit]:
        """The HTML pages answered with 200."""
        return [
            visit
            for visit in self.visits.values()
            if visit.status == 200 and visit.content_type.startswith("text/html")
        ]


def normalize(url: str, base: str) -> str | None:
    """``url`` (as written on the page at ``base``) as a path with sorted query, or None when it
    leaves the site or is not a page (``mailto:``, ``javascript:``...)."""
    absolute = urljoin(base, url.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode(sorted(pair for pair in pairs if pair[0] != CARRIED_FILTERS))
    return parts.path + (f"?{query}" if query else "")


class Crawler:
    """Visit every URL reachable from ``start`` as the person signed in on ``client``."""

    def __init__(
        self,
        client: Client,
        start: list[str],
        *,
        variants_per_filter: int = 12,
        variants_per_combination: int = 2,
        variants_per_path: int = 60,
        capped_prefix: str = "/admin/",
        limit: int = 5000,
    ) -> None:
        client.raise_request_exception = False
        self.client = client
        self.start = start
        self.variants_per_filter = variants_per_filter
        self.variants_per_combination = variants_per_combination
        self.variants_per_path = variants_per_path
        self.capped_prefix = capped_prefix
        self.limit = limit

    def run(self) -> CrawlResult:
        visits: dict[str, Visit] = {}
        queued: set[str] = set()
        per_shape: dict[tuple[str, tuple[str, ...]], int] = defaultdict(int)
        per_path: dict[str, int] = defaultdict(int)
        skipped = 0
        queue: deque[tuple[str, str]] = deque()

        def offer(url: str | None, referrer: str) -> None:
            nonlocal skipped
            if url is None or url in queued or any(word in url for word in NEVER_FOLLOW):
                return
            path, _, query = url.partition("?")
            if query and path.startswith(self.capped_prefix):
                names = tuple(sorted({name for name, _ in parse_qsl(query, keep_blank_values=True)}))
                shape = (path, names)
                if per_shape[shape] >= self._allowance(names) or per_path[path] >= self.variants_per_path:
                    skipped += 1
                    return
                per_shape[shape] += 1
                per_path[path] += 1
            queued.add(url)
            queue.append((url, referrer))

        for url in self.start:
            offer(normalize(url, "http://testserver/"), "(start)")
        while queue:
            if len(visits) >= self.limit:
                raise AssertionError(f"the crawl did not end within {self.limit} URLs")
            url, referrer = queue.popleft()
            visit, links = self._visit(url, referrer)
            visits[url] = visit
            base = f"http://testserver{url}"
            for link in links:
                offer(normalize(link, base), url)
        return CrawlResult(visits=visits, skipped_variants=skipped)

    def _allowance(self, names: tuple[str, ...]) -> int:
        """How many query strings with these parameter names one path is visited with."""
        if any(name.startswith("_") for name in names):
            return 1
        return self.variants_per_filter if len(names) == 1 else self.variants_per_combination

    def _visit(self, url: str, referrer: str) -> tuple[Visit, list[str]]:
        response = self.client.get(url, HTTP_REFERER=f"http://testserver{referrer}")
        content_type = response.get("Content-Type", "")
        error = ""
        try:
            # Reading a streamed body to its end also closes it, as the test client does.
            body = b"".join(response.streaming_content) if response.streaming else response.content
        except Exception as exc:  # a file or export that fails half-way through
            return Visit(url, 500, referrer, content_type, error=exception_summary(exc)), []
        exc_info = getattr(response, "exc_info", None)
        if exc_info:
            error = exception_summary(exc_info[1])
        links: list[str] = []
        if "Location" in response:
            links.append(response["Location"])
        lang = ""
        if content_type.startswith("text/html") and response.status_code < 400:
            parser = LinkParser()
            parser.feed(body.decode(response.charset or "utf-8", errors="replace"))
            lang = parser.lang
            links += parser.links
            for action, values in parser.forms:
                target = urljoin(f"http://testserver{url}", action or url)
                target = target.split("?", 1)[0]
                links.append(f"{target}?{urlencode(values)}" if values else target)
        return Visit(url, response.status_code, referrer, content_type, lang, error), links


def exception_summary(exc: BaseException) -> str:
    """The exception and the innermost frame of the project's own code that raised it."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if "/site-packages/" not in frame.filename and "/lib/python" not in frame.filename
    ]
    where = f" at {frames[-1].filename}:{frames[-1].lineno} ({frames[-1].name})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"
