"""Forms: the renderer, Django's with select lists written in Python; a service's refusal on its form.

Django renders every ``<option>`` of a select through a template of its own (an include, then the
attributes' include), a fraction of a millisecond each: a filter that lists a clinic's 300 clinicians
cost a clinic admin's patient list most of its time (BENCHMARKS.md). The same HTML, character for
character, is written here in one pass; any other widget, or a select with an option template of its
own, still goes through the templates.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BaseForm
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _attributes(attrs: dict[str, Any]) -> str:
    """As django/forms/widgets/attrs.html writes them: False left out, True as a bare name."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def select_html(widget: dict[str, Any]) -> SafeString:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            value = conditional_escape(str(option["value"]))
            label = conditional_escape(option["label"])
            parts.append(f'\n  <option value="{value}"{_attributes(option["attrs"])}>{label}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget") or {}
        if template_name == SELECT and all(
            option["template_name"] == OPTION
            for _name, options, _index in widget["optgroups"]
            for option in options
        ):
            return select_html(widget)
        return super().render(template_name, context, request)


def refusal_shown(refusal: ValidationError | Mapping[str, list[str]], *forms: BaseForm | None) -> None:
    """A service's refusal next to the field it names, in the first of ``forms`` that has that field; what
    names no field of theirs goes atop the first form."""
    named: Mapping[str, list[str]] = (
        refusal
        if isinstance(refusal, Mapping)
        else refusal.message_dict
        if hasattr(refusal, "error_dict")
        else {NON_FIELD_ERRORS: refusal.messages}
    )
    present = [form for form in forms if form is not None]
    for field, messages in named.items():
        target = next((form for form in present if field in form.fields), present[0])
        target.add_error(field if field in target.fields else None, messages)
