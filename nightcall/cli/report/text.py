"""The report as plain text (for a terminal or a ticket) and as Markdown (for a wiki, an issue)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from nightcall.cli.report.document import (
    Block,
    Bullets,
    ChartSlot,
    Heading,
    Paragraph,
    Table,
    report_blocks,
)
from nightcall.cli.report.model import Report

_CODE = re.compile(r"(`[^`]*`)")
_MARKDOWN_SPECIAL = re.compile(r"([\\<*|])")
_UNDERLINES = {1: "=", 2: "-", 3: "~"}


def _text_table(table: Table) -> list[str]:
    # Columns set code apart already: backticks there are noise.
    rows = [table.headers, *(tuple(c.replace("`", "") for c in row) for row in table.rows)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(table.headers))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if i in table.numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    return [line(table.headers), "  ".join("-" * w for w in widths), *map(line, rows[1:])]


def _text_block(block: Block, width: int) -> list[str]:
    if isinstance(block, Heading):
        return [block.text, _UNDERLINES.get(block.level, "~") * len(block.text)]
    if isinstance(block, Paragraph):
        return textwrap.wrap(block.text, width, break_on_hyphens=False) or [""]
    if isinstance(block, Table):
        return _text_table(block)
    if isinstance(block, Bullets):
        lines = []
        for number, item in enumerate(block.items, 1):
            mark = f"{number}. " if block.ordered else "- "
            lines += textwrap.wrap(item, width, initial_indent=mark,
                                   subsequent_indent=" " * len(mark),
                                   break_on_hyphens=False)  # fmt: skip
        return lines
    return []


def render_text(report: Report, *, width: int = 100) -> str:
    """The report as plain text, paragraphs wrapped at `width` columns (tables are not)."""
    chunks = [_text_block(b, width) for b in report_blocks(report) if not isinstance(b, ChartSlot)]
    return "\n\n".join("\n".join(lines) for lines in chunks) + "\n"


def markdown_inline(text: str, *, in_table: bool = False) -> str:
    """`text` with Markdown's special characters escaped outside `code spans` (and, in a
    table cell, `|` inside them too, which GitHub's tables would read as a column break)."""
    parts = []
    for part in _CODE.split(text):
        if len(part) > 1 and part.startswith("`") and part.endswith("`"):
            parts.append(part.replace("|", "\\|") if in_table else part)
        else:
            parts.append(_MARKDOWN_SPECIAL.sub(r"\\\1", part))
    return "".join(parts)


def _markdown_block(block: Block) -> str:
    inline = markdown_inline
    if isinstance(block, Heading):
        return "#" * block.level + " " + inline(block.text)
    if isinstance(block, Paragraph):
        return inline(block.text)
    if isinstance(block, Table):
        rule = ["---:" if i in block.numeric else "---" for i in range(len(block.headers))]
        rows = [block.headers, tuple(rule), *block.rows]
        return "\n".join(
            "| "
            + " | ".join(cell if row is rows[1] else inline(cell, in_table=True) for cell in row)
            + " |"
            for row in rows
        )
    if isinstance(block, Bullets):
        return "\n".join(
            (f"{n}. " if block.ordered else "- ") + inline(item)
            for n, item in enumerate(block.items, 1)
        )
    return ""


def render_markdown(report: Report) -> str:
    """The report as GitHub-flavoured Markdown."""
    blocks = [b for b in report_blocks(report) if not isinstance(b, ChartSlot)]
    return "\n\n".join(_markdown_block(b) for b in blocks) + "\n"
