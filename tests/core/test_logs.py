"""LOG_FORMAT=json: one JSON object per line, with timestamp, level, logger, message and request info."""

import json
import logging
import subprocess
import sys
from datetime import datetime

from django.test import RequestFactory

from core.logs import JsonFormatter
from tests.veza.test_settings import ROOT, manage, manage_env


def record(name="veza.test", level=logging.WARNING, message="disk %s full", args=("/srv",), **extra):
    log_record = logging.LogRecord(name, level, __file__, 1, message, args, None)
    log_record.__dict__.update(extra)
    return log_record


def test_a_record_comes_out_as_one_json_object_with_the_usual_keys():
    line = JsonFormatter().format(record())
    assert "\n" not in line
    data = json.loads(line)
    assert {"timestamp", "level", "logger", "message"} <= set(data)
    assert (data["level"], data["logger"], data["message"]) == ("WARNING", "veza.test", "disk /srv full")
    assert datetime.fromisoformat(data["timestamp"]).utcoffset().total_seconds() == 0


def test_request_records_carry_the_method_path_and_status():
    request = RequestFactory().post("/api/v1/rooms/?page=2")
    line = JsonFormatter().format(
        record("django.request", message="Bad Request: %s", args=(request.path,), request=request, status_code=400)
    )
    data = json.loads(line)
    assert data["request"] == {"method": "POST", "path": "/api/v1/rooms/"}
    assert data["status_code"] == 400


def test_exceptions_stay_inside_the_json_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        failing = record(level=logging.ERROR, message="failed", args=())
        failing.exc_info = sys.exc_info()
    data = json.loads(JsonFormatter().format(failing))
    assert "ValueError: boom" in data["exc_info"]


def test_log_format_json_switches_the_loggers():
    script = (
        "import logging; logging.getLogger('veza.check').warning('from %s', 'veza'); "
        "logging.getLogger('django.request').error('from django')"
    )
    result = manage("shell", "-c", script, DEBUG="true", LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(line["logger"], line["level"], line["message"]) for line in lines] == [
        ("veza.check", "WARNING", "from veza"),
        ("django.request", "ERROR", "from django"),
    ]


def test_an_unknown_log_format_is_refused():
    result = manage("check", DEBUG="true", LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be text or json" in result.stderr


def test_uvicorns_access_log_stays_off_when_turned_off():
    # uvicorn configures its loggers first, then the application's import sets Django's up.
    script = (
        "import logging, uvicorn, django; uvicorn.Config('veza.asgi:application', access_log=False); "
        "django.setup(); print(logging.getLogger('uvicorn.access').hasHandlers())"
    )
    env = manage_env(DEBUG="true", LOG_FORMAT="json", DJANGO_SETTINGS_MODULE="veza.settings")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    assert result.stdout.strip() == "False", result.stderr


def test_tokens_and_signatures_are_redacted_from_log_lines():
    from core.logs import RedactSecrets

    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]',
        ("127.0.0.1:5000", "/ws/?token=eyJhbGciOi.secret.part&x=1"), None,
    )  # fmt: skip
    assert RedactSecrets().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "WebSocket /ws/?token=[redacted]&x=1" [accepted]'
    line = "GET /media/a.wav?expires=1&signature=abc"
    signed = logging.LogRecord("django", logging.INFO, __file__, 1, line, (), None)
    RedactSecrets().filter(signed)
    assert signed.getMessage() == "GET /media/a.wav?expires=1&signature=[redacted]"
    plain = logging.LogRecord("django", logging.INFO, __file__, 1, "nothing %s here", ("secret",), None)
    RedactSecrets().filter(plain)
    assert plain.getMessage() == "nothing secret here"


def test_the_console_handler_redacts():
    from django.conf import settings

    assert "redact_secrets" in settings.LOGGING["handlers"]["console"]["filters"]
    handler = next(h for h in logging.getLogger("uvicorn.error").handlers if h.filters)
    assert any(type(f).__name__ == "RedactSecrets" for f in handler.filters)
