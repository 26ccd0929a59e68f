"""The debug report: API answers in, a `Report` out, printed as text, Markdown, HTML or JSON."""

from nightcall.cli.report.build import build_report
from nightcall.cli.report.commands import register_report_command
from nightcall.cli.report.fetch import ReportInputs, fetch_report_inputs, resolve_window
from nightcall.cli.report.model import Report
from nightcall.cli.report.page import render_html
from nightcall.cli.report.text import render_markdown, render_text

__all__ = [
    "Report",
    "ReportInputs",
    "build_report",
    "fetch_report_inputs",
    "register_report_command",
    "render_html",
    "render_markdown",
    "render_text",
    "resolve_window",
]
