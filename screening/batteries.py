"""The standard batteries every clinic starts with; clinic admins may change them afterwards."""

from typing import Any

# name, instrument codes in order, the timepoint they are usually given at, position in lists
STANDARD_BATTERIES = [
    ("Intake", ["PHQ-9", "GAD-7", "STarT-Back", "PCS", "TSK-11"], "intake", 1),
    ("Milestone", ["PHQ-9", "GAD-7", "PCS", "TSK-11", "PSEQ"], "milestone", 2),
    ("Brief check", ["PHQ-4"], "adhoc", 3),
]


def batteries_ensure(battery_model: Any) -> int:
    """Create the standard batteries that are missing (by name); leaves edited ones alone.

    Takes the model class so that the data migration can pass its historical model.
    """
    created = 0
    for name, instruments, timepoint, position in STANDARD_BATTERIES:
        _, new = battery_model.objects.get_or_create(
            name=name, defaults={"instruments": instruments, "timepoint": timepoint, "position": position}
        )
        created += new
    return created
