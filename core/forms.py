"""Page forms: a service's ValidationError shown on the form that sent the data."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def show_errors(
    form: forms.BaseForm, exc: ValidationError, *, rename: Mapping[str, str] | None = None, keep: bool = False
) -> None:
    """Put the errors of ``exc`` on ``form``: each under its field, or above the form when it has none.

    ``rename`` maps a service's field name to the form's (``{"password": "password1"}``); with ``keep``,
    a field that already shows an error keeps only it (the form's own check said it first).
    """
    errors: dict[str | None, list[str]] = {None: exc.messages}
    if hasattr(exc, "error_dict"):
        errors = {field: messages for field, messages in exc.message_dict.items()}
    for field, messages in errors.items():
        name = (rename or {}).get(field, field) if field is not None else None
        name = name if name in form.fields else None
        if keep and name is not None and name in form.errors:
            continue
        form.add_error(name, messages)
