"""The report as text and Markdown, checked against golden files (refresh with --update-golden)."""

from __future__ import annotations

from collections.abc import Callable

from nightcall.cli.report import Report, render_markdown, render_text
from nightcall.cli.report.text import markdown_inline


def test_text_report_matches_its_golden_file(
    report: Report, golden: Callable[[str, str], None]
) -> None:
    """The sample hour prints as wrapped plain text with aligned tables, every section in order."""
    golden("cli/report.txt", render_text(report))


def test_markdown_report_matches_its_golden_file(
    report: Report, golden: Callable[[str, str], None]
) -> None:
    """The sample hour prints as Markdown with pipe tables and code spans."""
    golden("cli/report.md", render_markdown(report))


def test_markdown_escapes_outside_code_and_pipes_in_table_code() -> None:
    """Telemetry such as `<str>` or `a|b` cannot turn into HTML tags or table columns."""
    assert markdown_inline("x <str> *y* `a|<b>`") == "x \\<str> \\*y\\* `a|<b>`"
    assert markdown_inline("`a|b`", in_table=True) == "`a\\|b`"


def test_text_report_strips_backticks_only_in_tables(report: Report) -> None:
    """Table cells lose their code marks; prose keeps them, as commands read in a terminal."""
    text = render_text(report)
    assert "`nightcall errors show" in text
    table_row = next(line for line in text.splitlines() if line.startswith("    40  error"))
    assert table_row.endswith("SSLCertVerificationError: certificate verify failed  new")
