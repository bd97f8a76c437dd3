"""Reading the staff pages as the load's users do: links to follow and forms to send back.

Kept apart from the locustfile, which cannot be imported without gevent patching the process.
"""

import re
from html.parser import HTMLParser

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PATIENT = re.compile(r'href="/patients/(\d+)/"')
PLAN = re.compile(r'href="(/patients/\d+/plans/\d+/)edit/"')
SKIPPED = {"submit", "button", "image", "file", "reset"}


class Forms(HTMLParser):
    """The POST forms of a page, each with the fields a browser would send unchanged (the first choice of
    each radio group, as a clinician entering the lowest answer would)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.actions: list[str] = []  # where each form is sent ("" for the page itself)
        self._form: dict[str, str] | None = None
        self._text: str | None = None
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form" and found.get("method", "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
            self.actions.append(found.get("action", ""))
        fields, name = self._form, found.get("name", "")
        if fields is None:
            return
        kind = found.get("type", "text").lower()
        if tag == "input" and name and kind not in SKIPPED:
            if (kind == "checkbox" and "checked" not in found) or (kind == "radio" and name in fields):
                return
            fields[name] = found.get("value", "on" if kind in ("checkbox", "radio") else "")
        elif tag == "textarea" and name:
            self._text, fields[name] = name, ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and (self._select not in fields or "selected" in found):
            fields[self._select] = found.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._text and self._form is not None:
            self._form[self._text] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._text = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None

    def having(self, field: str) -> dict[str, str] | None:
        return next((form for form in self.forms if field in form), None)
