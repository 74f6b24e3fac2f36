"""Services and selectors raise the domain errors of core.errors; each edge answers them in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.http import Http404
from django.test import RequestFactory

from console import moderation
from core import api, errors
from core.middleware import DomainErrorMiddleware
from realtime.frames import FrameError, run

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "catalog", "chat", "marketplace", "media", "rooms")


def _raise(exc):
    def function():
        raise exc

    return function


def test_services_and_selectors_never_raise_http404():
    offenders = []
    for app in APPS:
        for name in ("services.py", "selectors.py"):
            path = ROOT / app / name
            if not path.exists():
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module == "django.http":
                    offenders += [f"{app}/{name}" for alias in node.names if alias.name == "Http404"]
    assert offenders == []


def test_api_answers_not_found_with_404_in_the_error_shape():
    response = api.exception_handler(errors.NotFound("No such room."), {})
    assert response.status_code == 404
    assert response.data == {"error": {"code": "not_found", "detail": "No such room."}}


def test_api_answers_conflict_with_409_in_the_error_shape():
    response = api.exception_handler(errors.Conflict("Already sold."), {})
    assert response.status_code == 409
    assert response.data == {"error": {"code": "conflict", "detail": "Already sold."}}


def test_pages_turn_not_found_into_djangos_404():
    middleware = DomainErrorMiddleware(lambda request: None)
    request = RequestFactory().get("/rooms/1/")
    with pytest.raises(Http404, match=r"No such room\."):
        middleware.process_exception(request, errors.NotFound("No such room."))


@pytest.mark.django_db
def test_pages_answer_conflict_with_the_409_page_escaping_the_reason():
    middleware = DomainErrorMiddleware(lambda request: None)
    request = RequestFactory().get("/rooms/1/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = middleware.process_exception(request, errors.Conflict("<b>Already</b> done."))
    assert response.status_code == 409
    assert "&lt;b&gt;Already&lt;/b&gt; done." in response.content.decode()


def test_pages_leave_other_errors_to_django():
    middleware = DomainErrorMiddleware(lambda request: None)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("x")) is None


@pytest.mark.parametrize(
    ("exc", "code"),
    [(errors.NotFound("No such user."), "not_found"), (errors.Conflict("Already done."), "conflict")],
)
def test_sockets_answer_domain_errors_with_their_frame_code(exc, code):
    with pytest.raises(FrameError) as raised:
        run(_raise(exc))
    assert (raised.value.code, raised.value.detail) == (code, str(exc))


@pytest.mark.parametrize("exc", [errors.NotFound("No such room."), errors.Conflict("Already done.")])
def test_console_shows_domain_errors_as_refusals(exc):
    with pytest.raises(moderation.Refused, match=str(exc)), moderation.service_call():
        raise exc
