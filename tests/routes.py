"""Every URL of the project, from the resolver, with sample ids filled in (the access matrix, the form
properties)."""

from django.urls import URLPattern, URLResolver, reverse


def walk(patterns, prefix=""):
    """(route, pattern) for every URL; the admin as one entry, ("admin/", None)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern) == "admin/":
                yield "admin/", None
                continue
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def route_path(route: str, pattern: URLPattern | None, ids: dict, sample_ids: dict) -> str:
    if pattern is None:
        return "/admin/"
    kwargs = {}
    for name in pattern.pattern.converters:
        assert name in ids or name in sample_ids, f"give the access matrix a sample {name!r} for {route}"
        kwargs[name] = ids.get(name, sample_ids.get(name))
    if pattern.name is None:
        return "/" + route
    return reverse(pattern.name, kwargs=kwargs)
