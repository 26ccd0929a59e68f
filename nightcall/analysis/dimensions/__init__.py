"""Dimension attribution: which attribute values, and which combinations of them, explain a
population's failures (a likelihood-ratio scan for counts, RiskLoc for deviations from a
forecast, Adtributor's explanatory power and surprise to describe them)."""

from nightcall.analysis.dimensions.adtributor import DimensionExplanation, adtributor
from nightcall.analysis.dimensions.attribution import (
    Attribution,
    AttributionOptions,
    attribute_deviations,
    attribute_failures,
    js_surprise,
)
from nightcall.analysis.dimensions.facts import (
    Comparison,
    CountRow,
    CountTable,
    DeviationRow,
    DeviationTable,
    prune_dimensions,
)
from nightcall.analysis.dimensions.records import (
    FactOptions,
    choose_dimensions,
    count_table_from_counts,
    count_table_from_records,
)

__all__ = [
    "Attribution",
    "AttributionOptions",
    "Comparison",
    "CountRow",
    "CountTable",
    "DeviationRow",
    "DeviationTable",
    "DimensionExplanation",
    "FactOptions",
    "adtributor",
    "attribute_deviations",
    "attribute_failures",
    "choose_dimensions",
    "count_table_from_counts",
    "count_table_from_records",
    "js_surprise",
    "prune_dimensions",
]
