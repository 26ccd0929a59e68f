"""Reading a rendered HTML report back: its tags, section ids and anything it would load."""

from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    """Collects what the tests look at: tags, section ids, attributes that could load things."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.sections: list[str] = []
        self.references: list[tuple[str, str, str]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "section":
            self.sections.append(values.get("id") or "")
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "srcset", "data"):
                self.references.append((tag, name, value or ""))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data


def parse_page(text: str) -> Page:
    """The page `text`, parsed."""
    page = Page()
    page.feed(text)
    page.close()
    return page
