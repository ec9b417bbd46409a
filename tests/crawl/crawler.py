"""Fetch what one login can reach and turn every response into text.

The crawl starts from given URLs, follows every same-site `href`, `src`, redirect and GET form
`action` in the HTML (parsed with html.parser), and reads each response whatever it is: HTML,
XLSX (every cell, with openpyxl, and every XML part of the file), DOCX (paragraphs, tables,
headers, footers and properties, with python-docx, and every XML part), PDF (pypdf's text and
metadata), iCalendar, CSV, JSON. It is bounded: at most `per_pattern` distinct URLs of one
resolved URL name and set of query parameters, and `per_name` of one URL name, so that lists,
pages and filters of every kind are reached without fetching every record through every link.
Start URLs are always fetched. Logging out, switching the language and static files are not
followed, and nothing is ever posted.
"""

import io
import re
import time
import traceback
import zipfile
from collections import Counter, deque
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.db import transaction
from django.urls import Resolver404, resolve

NOT_FOLLOWED = ("/konto/logga-ut/", "/admin/logout/", "/i18n/", "/static/", "/media/")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TAG = re.compile(r"<[^>]+>")
# Rendering a PDF takes a second or two: fewer of each, beyond those the crawl starts from.
SLOW = {"incidents:statistics-pdf": 2, "risks:report-pdf": 2}


@dataclass
class Page:
    url: str
    name: str  # the resolved URL name
    status: int
    content_type: str
    text: str
    logged: bool  # an access-log entry was written while answering
    error: str = ""
    seconds: float = 0.0


class _Links(HTMLParser):
    ATTRIBUTES = {"href", "src", "formaction"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "get":
                self.links.append(attrs.get("action") or "")
            return
        if tag == "button" and "formaction" in attrs:
            return  # a button's formaction posts its form
        self.links += [value for name, value in attrs.items() if name in self.ATTRIBUTES and value]


def links_in(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for link in parser.links:
        url = same_site(urljoin(base, link.strip()))
        if url:
            found.append(url)
    return found


def same_site(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return None
    if not parts.path.startswith("/") or parts.path.startswith(NOT_FOLLOWED):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def url_name(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return "<no view>"


# Reading responses --------------------------------------------------------------------------------


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _zip_xml(data: bytes) -> str:
    """Every XML part of an Office file with its tags removed: cells, runs, comments, properties."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(
            TAG.sub("", archive.read(name).decode("utf-8", "replace"))
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        )


def _xlsx(data: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    cells = [ws.title for ws in workbook.worksheets]
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += [str(value) for value in row if value is not None]
    workbook.close()
    return "\n".join(cells) + "\n" + _zip_xml(data)


def _docx(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]

    def tables(items):
        for table in items:
            for row in table.rows:
                for cell in row.cells:
                    parts.extend(p.text for p in cell.paragraphs)
                    tables(cell.tables)

    tables(document.tables)
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    properties = document.core_properties
    parts += [properties.title or "", properties.subject or "", properties.keywords or "", properties.comments or ""]
    return "\n".join(parts) + "\n" + _zip_xml(data)


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    text += "\n" + " ".join(str(v) for v in (reader.metadata or {}).values())
    # A marker broken over two lines (or spaced out by the text extraction) is still found.
    return text + "\n" + re.sub(r"\s+", "", text)


def text_of(content_type: str, data: bytes) -> str:
    kind = content_type.split(";")[0].strip().lower()
    if kind == XLSX:
        return _xlsx(data)
    if kind == DOCX:
        return _docx(data)
    if kind == "application/pdf":
        return _pdf(data)
    if zipfile.is_zipfile(io.BytesIO(data)):
        return _zip_xml(data)
    return data.decode("utf-8", "replace")


# Crawling -----------------------------------------------------------------------------------------


class Crawler:
    def __init__(self, client, *, log_count, per_pattern: int = 3, per_name: int = 8):
        self.client = client
        self.log_count = log_count  # () -> the number of access-log entries
        self.per_pattern = per_pattern
        self.per_name = per_name
        self.seen: set[str] = set()
        self.patterns: Counter = Counter()
        self.names: Counter = Counter()

    def _admit(self, url: str, name: str) -> bool:
        """Within the bound: the URL name and its query parameters not yet fetched too often."""
        keys = tuple(sorted({key for key, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}))
        if self.patterns[(name, keys)] >= self.per_pattern or self.names[name] >= SLOW.get(name, self.per_name):
            return False
        self.patterns[(name, keys)] += 1
        self.names[name] += 1
        return True

    def fetch(self, url: str) -> tuple[Page, list[str]]:
        name = url_name(url)
        started = time.monotonic()
        before = self.log_count()
        try:
            # A savepoint per request: a failing request leaves the next one a usable connection.
            with transaction.atomic():
                response = self.client.get(url)
                data = body_of(response)
                logged = self.log_count() > before
        except Exception as error:  # any exception is a 500 to the user
            summary = "".join(traceback.format_exception_only(error)).strip()
            return Page(url, name, 500, "", "", False, error=summary), []
        content_type = response.get("Content-Type", "")
        text = text_of(content_type, data) if data else ""
        links = []
        if response.status_code in (301, 302, 303, 307, 308) and response.get("Location"):
            location = same_site(urljoin(url, response["Location"]))
            links = [location] if location else []
        elif content_type.startswith("text/html"):
            links = links_in(text, "http://testserver" + url)
        page = Page(url, name, response.status_code, content_type, text, logged, seconds=time.monotonic() - started)
        return page, links

    def run(self, start: list[str]):
        """Yield every page fetched: the start URLs first, then what they link to, breadth first."""
        queue = deque(dict.fromkeys(start))
        self.seen.update(queue)
        while queue:
            url = queue.popleft()
            page, links = self.fetch(url)
            yield page
            for link in links:
                if link in self.seen:
                    continue
                self.seen.add(link)
                if self._admit(link, url_name(link)):
                    queue.append(link)
