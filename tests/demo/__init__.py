"""Tests of the demo shop: simulated faults, scenarios, the live run."""
