"""Shared multidisciplinary care plans (built in the care plan issue)."""
