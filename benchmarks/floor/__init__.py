"""The floor: a bare Django project the benchmark serves through the Procfile's own gunicorn, beside ours.

A plain view, a one-indexed-query view and a one-INSERT view on the same PostgreSQL: what Django and the
database cost at the least, against which `benchmarks/floors.py` measures each page and API call.
"""
