"""Tests of stack parsing and error fingerprints."""
