"""docs/nginx.conf is the nginx configuration of docs/operations.md and the one bench/stream.py runs."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_operations_guide_shows_docs_nginx_conf_verbatim():
    template = (ROOT / "docs" / "nginx.conf").read_text()
    assert f"```nginx\n{template}```" in (ROOT / "docs" / "operations.md").read_text()


def test_the_configuration_asks_veza_about_signed_urls_and_caches_the_answer():
    template = (ROOT / "docs" / "nginx.conf").read_text()
    assert "auth_request /internal/stream-access;" in template
    assert "proxy_cache_key $request_uri;" in template
    assert "proxy_set_header X-Original-URI $request_uri;" in template
    assert "proxy_ignore_headers" not in template  # nginx honours the X-Accel-Expires Veza sends


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed (apt-get install nginx)")
def test_nginx_accepts_the_configuration_the_benchmark_runs(tmp_path):
    from bench.stream import nginx_config

    media = tmp_path / "media"
    media.mkdir()
    config = nginx_config(tmp_path, 18080, 18081, media, upstream="http://127.0.0.1:18000")
    result = subprocess.run(  # noqa: S603
        [shutil.which("nginx"), "-t", "-c", str(config), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
