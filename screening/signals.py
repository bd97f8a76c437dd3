"""What screening tells the apps above it, without importing them.

``screening_recorded`` is sent inside the transaction that stores a result (new or amending), after its
alerts are raised, with ``screening`` and ``instrument``. A receiver that writes does so in that same
transaction: if it fails, the result is not stored either. ``routing`` listens, to open the reviews and
follow-up screenings its rules call for.
"""

from django.dispatch import Signal

screening_recorded = Signal()
