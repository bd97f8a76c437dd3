"""`make verify`: the reliability and security promises, the load and the fault drills (README, "Verify")."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One row of RELIABILITY.md: how many things a check ran, how many failed, and what it saw."""

    name: str
    run: int
    failed: int
    detail: str = ""

    @property
    def passed(self) -> int:
        return self.run - self.failed
