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
    assert find_new_templates(baseline, window) == [
        NewTemplate(template_id=4, window_count=7),
        NewTemplate(template_id=3, window_count=2),
        NewTemplate(template_id=5, window_count=1),
    ]
    assert find_new_templates(baseline, window, min_count=2) == [
        NewTemplate(template_id=4, window_count=7),
        NewTemplate(template_id=3, window_count=2),
    ]


def test_spike_needs_rate_ratio_count_and_significance() -> None:
    """A rate far above its baseline is a spike; a steady or tiny rate is not."""
    baseline = {1: 600, 2: 60, 3: 1, 9: 12}  # one hour
    window = {1: 11, 2: 40, 3: 3, 7: 50, 9: 3}  # ten minutes: 1 steady, 2 spikes, 3 too few
    spikes = find_template_spikes(baseline, window, baseline_s=3600, window_s=600)
    assert [s.template_id for s in spikes] == [2]
    spike = spikes[0]
    assert isinstance(spike, TemplateSpike)
    assert spike.baseline_count == 60
    assert spike.window_count == 40
    assert spike.expected_count == pytest.approx(10.0)
    assert spike.ratio == pytest.approx(4.0)
    assert spike.p_value < 1e-9


def test_spike_rejects_non_positive_durations() -> None:
    """A zero-length window is refused with both durations in the message."""
    with pytest.raises(ValueError, match="window_s=0"):
        find_template_spikes({1: 1}, {1: 1}, baseline_s=60, window_s=0)
