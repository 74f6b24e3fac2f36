"""What the API accepts as a body, and the text no column can store.

:class:`JSONParser` is the API's JSON parser (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``); forms and
query strings are checked by ``core.middleware.HostileInputMiddleware`` with :func:`unstorable`.
"""

from __future__ import annotations

import math
import re
from typing import cast

from django.http import QueryDict
from rest_framework import exceptions, parsers

# Text no column can hold: NUL (PostgreSQL refuses it in text) and lone surrogates (not encodable as UTF-8).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Whether ``text`` holds a character PostgreSQL cannot store (NUL, or half of a surrogate pair)."""
    return UNSTORABLE.search(text) is not None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with 400 what no field can take and no column can store.

    - a string (value or key) holding a NUL byte or a lone surrogate (``"\\u0000"``, ``"\\ud800"``);
    - an integer outside PostgreSQL's ``bigint``, a number too large to be finite;
    - nesting deeper than ``MAX_DEPTH`` (Python's parser would otherwise hit its recursion limit).
    """

    MAX_DEPTH = 32
    BIGINT = 2**63

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - the document is nested too deeply.") from exc
        problem = self.problem(data)
        if problem:
            raise exceptions.ParseError(f"JSON parse error - {problem}")
        return data

    @classmethod
    def problem(cls, data) -> str | None:
        """What makes ``data`` (parsed JSON) unusable, if anything; walked without recursion."""
        pending = [(data, 1)]
        while pending:
            value, depth = pending.pop()
            if isinstance(value, str):
                if unstorable(value):
                    return "a string contains a NUL byte or a lone surrogate."
            elif isinstance(value, bool) or value is None:
                continue
            elif isinstance(value, int):
                if not -cls.BIGINT <= value < cls.BIGINT:
                    return "an integer is out of range."
            elif isinstance(value, float):
                if not math.isfinite(value):
                    return "a number is out of range."
            elif depth >= cls.MAX_DEPTH:
                return "the document is nested too deeply."
            elif isinstance(value, dict):
                pending.extend((key, depth) for key in value)
                pending.extend((item, depth + 1) for item in value.values())
            elif isinstance(value, list):
                pending.extend((item, depth + 1) for item in value)
        return None


class _FormChecks(parsers.BaseParser):
    """Refuse (400) a form whose field names, values or file names hold text no column can store."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        if isinstance(parsed, parsers.DataAndFiles):  # multipart: fields and files
            uploads = ((name, [upload.name for upload in files]) for name, files in parsed.files.lists())
            pairs = [*parsed.data.lists(), *uploads]
        else:  # urlencoded: a QueryDict
            pairs = list(cast(QueryDict, parsed).lists())
        if any(unstorable(name) or any(unstorable(str(value)) for value in values) for name, values in pairs):
            raise exceptions.ParseError("Form parse error - a field contains a NUL byte or an invalid character.")
        return parsed


class FormParser(_FormChecks, parsers.FormParser):
    """DRF's urlencoded form parser, refusing NUL bytes and lone surrogates."""


class MultiPartParser(_FormChecks, parsers.MultiPartParser):
    """DRF's multipart parser, refusing NUL bytes and lone surrogates in fields and file names."""
