"""Log templates: online Drain mining per service, batch mining, template changes in a window,
and the grouping/parsing accuracy used to measure the mining."""

from nightcall.analysis.logs.changes import (
    NewTemplate,
    TemplateSpike,
    find_new_templates,
    find_template_spikes,
)
from nightcall.analysis.logs.evaluation import (
    grouping_accuracy,
    normalize_template,
    parsing_accuracy,
)
from nightcall.analysis.logs.masking import DEFAULT_MASKS, KEY_VALUE_MASK, MaskRule, mask_line
from nightcall.analysis.logs.miner import (
    MinerConfig,
    TemplateMiner,
    TemplateRegistry,
    mine_templates,
)

__all__ = [
    "DEFAULT_MASKS",
    "KEY_VALUE_MASK",
    "MaskRule",
    "MinerConfig",
    "NewTemplate",
    "TemplateMiner",
    "TemplateRegistry",
    "TemplateSpike",
    "find_new_templates",
    "find_template_spikes",
    "grouping_accuracy",
    "mask_line",
    "mine_templates",
    "normalize_template",
    "parsing_accuracy",
]
