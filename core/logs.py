"""The JSON log format (``LOG_FORMAT=json``): one JSON object per line, for log collectors.

Every line has ``timestamp`` (UTC, ISO 8601), ``level``, ``logger`` and ``message``; the extra fields a
record carries follow (``status_code`` for Django's request errors, ``exc_info`` with the traceback of
an exception), and a record about a request gets ``request: {"method", "path"}``.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter


class JsonFormatter(_JsonFormatter):
    def __init__(self, **kwargs):
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__("%(levelname)s %(name)s %(message)s", **kwargs)

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        log_data["timestamp"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        super().add_fields(log_data, record, message_dict)
        log_data.pop("color_message", None)  # uvicorn's copy of the message with terminal colours
        # Django's request loggers attach the request object (or, for the development server, a socket).
        request = log_data.pop("request", None)
        if hasattr(request, "method") and hasattr(request, "path"):
            log_data["request"] = {"method": request.method, "path": request.path}


SECRET_QUERY = re.compile(r"((?:^|[?&])(?:token|signature)=)[^&\s\"']+")


class RedactSecrets(logging.Filter):
    """Replace the values of ``token=`` and ``signature=`` query parameters in a record's message.

    uvicorn logs every WebSocket handshake with its path and query string, and API clients
    authenticate sockets with ``/ws/?token=<access token>``; signed media URLs carry ``signature=``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = SECRET_QUERY.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
