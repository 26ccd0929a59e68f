"""Tests for new templates and template-rate spikes in an anomaly window."""

from __future__ import annotations

import pytest

from nightcall.analysis.logs import (
    NewTemplate,
    TemplateSpike,
    find_new_templates,
    find_template_spikes,
)


def test_new_templates_are_those_absent_from_the_baseline() -> None:
    """Templates with window lines and no baseline lines come back, loudest first."""
    baseline = {1: 500, 2: 3, 4: 0}
    window = {1: 40, 3: 2, 4: 7, 5: 1}
    assert find_new_templates(baseline, window, window_s=10) == [
        NewTemplate(template_id=4, window_count=7, window_rate_per_s=0.7),
        NewTemplate(template_id=3, window_count=2, window_rate_per_s=0.2),
        NewTemplate(template_id=5, window_count=1, window_rate_per_s=0.1),
    ]
    assert [
        n.template_id for n in find_new_templates(baseline, window, window_s=10, min_count=2)
    ] == [
        4,
        3,
    ]


def test_new_templates_carry_first_seen_and_come_earliest_first() -> None:
    """With first-seen times, the earliest new template comes first, whatever its count."""
    first_seen = {3: 2_000, 4: 9_000}
    found = find_new_templates(
        {}, {3: 1, 4: 50, 5: 2}, window_s=60, first_seen_unix_nano=first_seen
    )
    assert [(n.template_id, n.first_seen_unix_nano) for n in found] == [
        (3, 2_000),
        (4, 9_000),
        (5, None),
    ]


def test_spike_needs_rate_ratio_count_and_significance() -> None:
    """A rate far above its baseline is a spike; a steady or tiny rate is not."""
    baseline = {1: 600, 2: 60, 3: 1, 9: 12}  # one hour
    window = {1: 11, 2: 40, 3: 3, 7: 50, 9: 3}  # ten minutes: 1 steady, 2 spikes, 3 too few
    spikes = find_template_spikes(
        baseline, window, baseline_s=3600, window_s=600, first_seen_unix_nano={2: 123}
    )
    assert [s.template_id for s in spikes] == [2]
    spike = spikes[0]
    assert isinstance(spike, TemplateSpike)
    assert spike.baseline_count == 60
    assert spike.window_count == 40
    assert spike.baseline_rate_per_s == pytest.approx(60 / 3600)
    assert spike.window_rate_per_s == pytest.approx(40 / 600)
    assert spike.expected_count == pytest.approx(10.0)
    assert spike.ratio == pytest.approx(4.0)
    assert spike.first_seen_unix_nano == 123
    # P(X >= 40) for X ~ Poisson(10): the sum of e^-10 10^k / k! over k >= 40.
    assert spike.p_value == pytest.approx(7.3416363e-13, rel=1e-6)


def test_a_rare_template_needs_the_minimum_count() -> None:
    """One baseline line then four (p = 0.019) is a spike only with looser count and p limits."""
    loose = {"baseline_s": 60, "window_s": 60, "max_p_value": 0.05}
    assert find_template_spikes({1: 1}, {1: 4}, **loose) == []
    spikes = find_template_spikes({1: 1}, {1: 4}, min_count=4, **loose)
    assert [(s.expected_count, s.ratio) for s in spikes] == [(1.0, 4.0)]
    assert spikes[0].p_value == pytest.approx(0.0189882, rel=1e-5)
    assert find_template_spikes({1: 1}, {1: 4}, baseline_s=60, window_s=60, min_count=4) == []


def test_spike_rejects_non_positive_durations() -> None:
    """A zero-length window is refused with both durations in the message."""
    with pytest.raises(ValueError, match=r"baseline_s=60, window_s=0"):
        find_template_spikes({1: 1}, {1: 1}, baseline_s=60, window_s=0)
    with pytest.raises(ValueError, match="window_s=-1"):
        find_new_templates({}, {1: 1}, window_s=-1)
