"""Distress screening: validated instruments and scored screenings (built in the screening issue)."""
