"""The deviation partition: which side the anomaly is on, and where the cutoff sits."""

from __future__ import annotations

import numpy as np

from nightcall.analysis.dimensions.partition import deviation_partition


def test_a_drop_among_noise_is_the_abnormal_side() -> None:
    """Leaves that fell by half are abnormal, the noisy rest normal, the anomaly positive."""
    expected = np.full(40, 100.0)
    actual = expected * (1 + np.tile([-0.02, -0.01, 0.0, 0.01, 0.02], 8))
    actual[:4] = 50.0
    partition = deviation_partition(actual, expected)
    assert list(np.flatnonzero(partition.abnormal)) == [0, 1, 2, 3]
    assert (partition.excess[:4] == 50.0).all()
    assert (partition.weight <= 1.0).all()


def test_empty_leaves_weigh_nothing() -> None:
    """A leaf with actual and expected both 0 is neither evidence for nor against."""
    actual = np.array([0.0, 10.0, 10.0, 30.0])
    expected = np.array([0.0, 10.0, 11.0, 10.0])
    partition = deviation_partition(actual, expected)
    assert partition.weight[0] == 0.0
    assert not partition.abnormal[0]
    assert partition.abnormal[3]
