"""Campaigns that learn: a random control group held out of any customer list
(:mod:`.assign`), and the honest measurement of what the campaign changed (:mod:`.measure`).

Pure functions on pandas frames and numbers: no workspace, no language. The uplift model
that says whom to contact next lives in :mod:`analysis.customize.uplift`.
"""

from analysis.interact.campaigns.assign import CONTROL, TARGET, assign_control, new_seed
from analysis.interact.campaigns.measure import (
    control_share_needed,
    control_size_needed,
    measure_campaign,
    minimum_detectable_effect,
)

__all__ = ["CONTROL", "TARGET", "assign_control", "control_share_needed", "control_size_needed",
           "measure_campaign", "minimum_detectable_effect", "new_seed"]
