"""The screening instrument library: instruments as data, and the one scorer that reads them.

Pure Python, no models and no database: ``screening.services`` stores what ``score`` returns.
"""

from .definitions import INSTRUMENTS, get_instrument
from .model import (
    Answer,
    BandRule,
    BaselineMCID,
    ChangeThresholds,
    ClinicalRange,
    FlagRule,
    Instrument,
    Item,
    Source,
    Subscale,
)
from .scoring import (
    Change,
    Overrides,
    Score,
    ScoringError,
    ThresholdInForce,
    change_between,
    clinical_range_in_force,
    mcid_in_force,
    rc_in_force,
    score,
    thresholds_in_force,
)

__all__ = [
    "INSTRUMENTS",
    "Answer",
    "BandRule",
    "BaselineMCID",
    "Change",
    "ChangeThresholds",
    "ClinicalRange",
    "FlagRule",
    "Instrument",
    "Item",
    "Overrides",
    "Score",
    "ScoringError",
    "Source",
    "Subscale",
    "ThresholdInForce",
    "change_between",
    "clinical_range_in_force",
    "mcid_in_force",
    "rc_in_force",
    "thresholds_in_force",
    "get_instrument",
    "score",
]
