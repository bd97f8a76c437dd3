"""The screening instrument library: instruments as data, and the one scorer that reads them.

Pure Python, no models and no database: ``screening.services`` stores what ``score`` returns.
"""

from .definitions import INSTRUMENTS, get_instrument
from .model import Answer, BandRule, ChangeThresholds, FlagRule, Instrument, Item, Subscale
from .scoring import Change, Overrides, Score, ScoringError, change_between, score, thresholds_in_force

__all__ = [
    "INSTRUMENTS",
    "Answer",
    "BandRule",
    "Change",
    "ChangeThresholds",
    "FlagRule",
    "Instrument",
    "Item",
    "Overrides",
    "Score",
    "ScoringError",
    "Subscale",
    "change_between",
    "thresholds_in_force",
    "get_instrument",
    "score",
]
