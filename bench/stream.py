"""Range requests on a 10 MB track: Veza (uvicorn, 2 workers) against nginx serving the same file.

    .venv/bin/python bench/stream.py [--seconds 10] [--connections 16]

The ways of serving the same bytes, measured in the same run (these machines are noisy):
- nginx reading the file itself (the baseline);
- nginx with Veza's production configuration (docs/nginx.conf, the file itself): a signed URL, checked
  by Veza through ``auth_request`` at most once per URL per 5 s, the bytes sent by nginx;
- the same nginx handing ``/api/v1/tracks/<id>/stream`` to Veza, which answers with X-Accel-Redirect;
- Veza streaming the bytes itself (MEDIA_SERVE=app, no nginx): the Django path as it was before the
  lean path (STREAM_FAST_PATH=false), then the lean path, on the stream route and on a signed URL.
Prints requests/s, MB/s, p50/p99 latency, the ratio of each to the baseline, the lean path's gain over
the Django path, and how many times Veza decided on the signed URL behind nginx. Needs nginx and wrk.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
os.environ.setdefault("DEBUG", "true")

import django

SIZE = 10 * 1024 * 1024
RANGE = {"Range": "bytes=1048576-1310719"}  # 256 KiB from the second MiB, as a seeking player asks
TEMPLATE = Path(__file__).resolve().parent.parent / "docs" / "nginx.conf"
ACCESS_COUNT = re.compile(
    r'veza_http_requests_total\{method="GET",route="/internal/stream-access",status="200"\} (\S+)'
)


def veza_site(root: Path, port: int, media: Path, upstream: str) -> str:
    """docs/nginx.conf with this machine's addresses and folders (and no TLS)."""
    text = TEMPLATE.read_text()
    for old, new in (
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{port};"),
        ("server 127.0.0.1:8000;", f"server {upstream.removeprefix('http://')};"),
        ("/srv/veza/var/media/", f"{media}/"),
        ("/var/cache/nginx/veza-stream", f"{root}/stream-cache"),
    ):
        if old not in text:
            raise SystemExit(f"docs/nginx.conf no longer contains {old!r}: update bench/stream.py")
        text = text.replace(old, new)
    return text


def nginx_config(root: Path, port: int, direct_port: int, media: Path, upstream: str) -> Path:
    """nginx serving ``media`` at /direct/ on ``direct_port``, and Veza's site (docs/nginx.conf) on ``port``."""
    (root / "veza.conf").write_text(veza_site(root, port, media, upstream))
    config = root / "nginx.conf"
    config.write_text(
        f"""
worker_processes 2;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    default_type application/octet-stream;
    types {{ audio/wav wav; }}
    client_body_temp_path {root}/body; proxy_temp_path {root}/proxy; fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
    server {{
        listen 127.0.0.1:{direct_port};
        location /direct/ {{ alias {media}/; }}
    }}
    include {root}/veza.conf;
}}
"""
    )
    return config


def start_nginx(config: Path) -> subprocess.Popen:
    return subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(config), "-p", str(config.parent)])  # noqa: S603


def access_decisions(app: str) -> float:
    """How many times the workers of ``app`` said yes to nginx's question (their summed metrics)."""
    text = urllib.request.urlopen(f"{app}/metrics", timeout=10).read().decode()  # noqa: S310 (local URL)
    match = ACCESS_COUNT.search(text)
    return float(match.group(1)) if match else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("nginx"):
        raise SystemExit("nginx is needed: apt-get install nginx")

    media = Path(tempfile.mkdtemp(prefix="veza-bench-media-"))
    media.chmod(0o755)
    os.environ["MEDIA_ROOT"] = str(media)
    from veza import bootstrap

    bootstrap.environment()  # the embedded servers, unless DATABASE_URL / REDIS_URL are set
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from bench.common import free_port, veza_server, wait_for, wrk
    from catalog import services
    from demo.data import tone_wav
    from media.streaming import signed_query

    # A 10 MB WAV (a real audio file, so the upload path accepts it).
    seconds = SIZE // (22050 * 2)
    audio = tone_wav([440.0] * seconds, note_seconds=1.0)
    user = User.objects.filter(username="bench-streamer").first() or User.objects.create_user(
        "bench-streamer", "bench-streamer@veza.test", None
    )
    track = services.track_upload(creator=user, upload=SimpleUploadedFile("bench.wav", audio), is_public=True)
    path = track.file.path
    signed = f"/media/{path}?{signed_query(path, seconds=3600, public=True)[0]}"
    stream = f"/api/v1/tracks/{track.pk}/stream"
    print(f"file: {len(audio) / 1e6:.1f} MB ({path}); range {RANGE['Range']}; {args.connections} connections")

    def run(url: str) -> dict:
        return wrk(url, seconds=args.seconds, connections=args.connections, headers=RANGE)

    results = {}
    decisions = 0.0
    work = Path(tempfile.mkdtemp(prefix="veza-bench-nginx-"))
    work.chmod(0o755)  # nginx's workers (another user when started as root) keep their cache inside
    metrics_dir = Path(tempfile.mkdtemp(prefix="veza-bench-metrics-"))
    try:
        with veza_server(
            workers=2, MEDIA_ROOT=str(media), MEDIA_SERVE="accel", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)
        ) as app:
            port, direct_port = free_port(), free_port()
            nginx = start_nginx(nginx_config(work, port, direct_port, media, upstream=app))
            try:
                wait_for(f"http://127.0.0.1:{direct_port}/direct/{path}")
                results["nginx (baseline)"] = run(f"http://127.0.0.1:{direct_port}/direct/{path}")
                results["nginx, signed URL (auth_request)"] = run(f"http://127.0.0.1:{port}{signed}")
                decisions = access_decisions(app)
                results["veza + nginx X-Accel-Redirect"] = run(f"http://127.0.0.1:{port}{stream}")
            finally:
                nginx.terminate()
                nginx.wait(10)
        with veza_server(workers=2, MEDIA_ROOT=str(media), MEDIA_SERVE="app", STREAM_FAST_PATH="false") as app:
            results["veza app, Django path"] = run(f"{app}{stream}")
        with veza_server(workers=2, MEDIA_ROOT=str(media), MEDIA_SERVE="app") as app:
            results["veza app, lean path"] = run(f"{app}{stream}")
            results["veza app, lean path, signed"] = run(f"{app}{signed}")
    finally:
        services.track_delete(actor=user, track=track)
        for folder in (work, media, metrics_dir):
            shutil.rmtree(folder, ignore_errors=True)

    base = results["nginx (baseline)"]["rps"] or 1
    print(f"{'server':34} {'req/s':>9} {'MB/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'ratio':>6}")
    for name, r in results.items():
        print(
            f"{name:34} {r['rps']:9.0f} {r['mb_s']:8.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} "
            f"{r['errors']:6d} {r['rps'] / base:6.2f}"
        )
    before = results["veza app, Django path"]["rps"] or 1
    print(f"lean path / Django path (app streams): {results['veza app, lean path']['rps'] / before:.1f}x")
    print(f"signed URL through nginx / nginx alone: {results['nginx, signed URL (auth_request)']['rps'] / base:.2f}")
    print(f"Veza decided on the signed URL {decisions:.0f} times in {args.seconds} s behind nginx")


if __name__ == "__main__":
    main()
