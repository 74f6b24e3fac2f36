"""The Content-Security-Policy header: on every page, nothing inline without the request's nonce, no framing,
and the WebSocket origin of the page's host. (The browser side: tests/e2e/test_csp_browser.py.)"""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


PAGES = ["/", "/tracks/", "/accounts/login/", "/accounts/signup/", "/admin/login/", "/api/v1/docs/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["connect-src"] == ["'self'", "ws://testserver"]


def test_the_socket_origin_follows_the_host_and_scheme(client, settings):
    settings.ALLOWED_HOSTS = ["veza.example.org"]
    response = client.get("/", HTTP_HOST="veza.example.org", HTTP_X_FORWARDED_PROTO="https", secure=True)
    assert directives(response)["connect-src"] == ["'self'", "wss://veza.example.org"]


def test_the_api_docs_run_no_inline_script_and_nonce_their_style(client):
    response = client.get("/api/v1/docs/")
    html = response.content.decode()
    nonce = re.search(r"<style nonce=\"([^\"]+)\">", html).group(1)
    assert f"'nonce-{nonce}'" in directives(response)["style-src"]
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_a_nonce_is_sent_only_when_a_page_uses_it(client):
    assert "nonce-" not in client.get("/").headers["Content-Security-Policy"]


def test_templates_have_no_inline_script_handler_or_style_attribute():
    inline_script = re.compile(r"<script(?![^>]*\b(src|nonce)=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    style_attribute = re.compile(r"\sstyle\s*=", re.I)
    found = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for name, pattern in (("inline script", inline_script), ("handler", handler), ("style", style_attribute)):
            found += [f"{template.relative_to(TEMPLATES)}: {name}" for _ in pattern.finditer(text)]
    assert found == []


def test_the_plain_error_pages_need_no_inline_style():
    from django.template.loader import render_to_string

    for name in ("500.html", "503.html"):
        html = render_to_string(name)
        assert "style=" not in html and "<style" not in html
        assert "/static/css/error.css" in html
