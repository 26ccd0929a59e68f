"""Values, durations and series names as the report prints them."""

from __future__ import annotations

from nightcall.cli.report.format import duration, number, plural, signal_label, value


def test_values_print_in_their_unit() -> None:
    """Ratios as percentages, bytes in binary units, rates per second, `{thing}` as a word."""
    assert value(0.1234, "1") == "12.3 %"
    assert value(3 * 2**20, "By") == "3 MiB"
    assert value(512.0, "By") == "512 B"
    assert value(0.0133, "1/s") == "0.0133/s"
    assert value(2.5, "{connection}") == "2.5 connection"
    assert value(1234.5, "ms") == "1,234 ms"
    assert value(None, "ms") == "-"


def test_numbers_keep_about_three_digits_without_exponents() -> None:
    """Whole numbers lose their decimals; small ones keep three significant digits."""
    assert [number(v) for v in (12345.6, 10.0, 12.34, 1.5, 0.000123, 0.0)] == [
        "12,346", "10", "12.3", "1.5", "0.000123", "0"]  # fmt: skip


def test_durations_use_the_largest_even_unit() -> None:
    """Days from two on, then hours, minutes, and seconds for odd short steps."""
    assert [duration(s) for s in (86_400, 172_800, 1800, 75, 601, 30)] == [
        "24 h", "2 d", "30 min", "75 s", "10.0 min", "30 s"]  # fmt: skip
    assert plural(1, "anomaly", "anomalies") == "1 anomaly"
    assert plural(1200, "pattern") == "1,200 patterns"


def test_series_names_lose_the_service_label_the_row_shows() -> None:
    """Only the `service` label goes; other labels stay, and an empty label set disappears."""
    assert signal_label('error_rate{service="payment"}', "payment") == "error_rate"
    assert (signal_label('calls{dependency="db",service="cart"}', "cart")
            == 'calls{dependency="db"}')  # fmt: skip
    assert signal_label('x{service="a",z="1"}', "a") == 'x{z="1"}'
