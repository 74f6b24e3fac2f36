"""Range requests on a 10 MB track: Veza (uvicorn, 2 workers) against nginx serving the same file.

    .venv/bin/python bench/stream.py [--seconds 10] [--connections 16]

Three ways of serving the same bytes, measured in the same run (these machines are noisy):
- nginx reading the file itself (the baseline),
- Veza streaming it (MEDIA_SERVE=app),
- Veza checking access and handing the bytes to nginx (MEDIA_SERVE=accel, X-Accel-Redirect).
Prints requests/s, MB/s, p50/p99 latency and the ratio of each to the baseline. Needs nginx and wrk.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
os.environ.setdefault("DEBUG", "true")

import django

SIZE = 10 * 1024 * 1024
RANGE = {"Range": "bytes=1048576-1310719"}  # 256 KiB from the second MiB, as a seeking player asks


def nginx_config(root: Path, port: int, media: Path, upstream: str | None) -> Path:
    """nginx serving ``media`` at /direct/, and (when ``upstream``) proxying Veza with X-Accel-Redirect."""
    proxy = ""
    if upstream:
        proxy = f"""
        location /protected-media/ {{ internal; alias {media}/; }}
        location / {{ proxy_pass {upstream}; proxy_set_header Host $host; proxy_http_version 1.1; }}"""
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
        listen 127.0.0.1:{port};
        location /direct/ {{ alias {media}/; }}{proxy}
    }}
}}
"""
    )
    return config


def start_nginx(config: Path) -> subprocess.Popen:
    return subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(config), "-p", str(config.parent)])  # noqa: S603


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

    # A 10 MB WAV (a real audio file, so the upload path accepts it).
    seconds = SIZE // (22050 * 2)
    audio = tone_wav([440.0] * seconds, note_seconds=1.0)
    user = User.objects.filter(username="bench-streamer").first() or User.objects.create_user(
        "bench-streamer", "bench-streamer@veza.test", None
    )
    track = services.track_upload(creator=user, upload=SimpleUploadedFile("bench.wav", audio), is_public=True)
    path = track.file.path
    print(f"file: {len(audio) / 1e6:.1f} MB ({path}); range {RANGE['Range']}; {args.connections} connections")

    results = {}
    work = Path(tempfile.mkdtemp(prefix="veza-bench-nginx-"))
    try:
        for mode in ("app", "accel"):
            with veza_server(workers=2, MEDIA_ROOT=str(media), MEDIA_SERVE=mode) as app:
                port = free_port()
                nginx = start_nginx(nginx_config(work, port, media, upstream=app))
                try:
                    wait_for(f"http://127.0.0.1:{port}/direct/{path}")
                    if mode == "app":
                        results["nginx (baseline)"] = wrk(
                            f"http://127.0.0.1:{port}/direct/{path}",
                            seconds=args.seconds, connections=args.connections, headers=RANGE,
                        )  # fmt: skip
                        results["veza, app streams"] = wrk(
                            f"{app}/api/v1/tracks/{track.pk}/stream",
                            seconds=args.seconds, connections=args.connections, headers=RANGE,
                        )  # fmt: skip
                    else:
                        results["veza + nginx X-Accel-Redirect"] = wrk(
                            f"http://127.0.0.1:{port}/api/v1/tracks/{track.pk}/stream",
                            seconds=args.seconds, connections=args.connections, headers=RANGE,
                        )  # fmt: skip
                finally:
                    nginx.terminate()
                    nginx.wait(10)
    finally:
        services.track_delete(actor=user, track=track)
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(media, ignore_errors=True)

    base = results["nginx (baseline)"]["rps"] or 1
    print(f"{'server':32} {'req/s':>9} {'MB/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'ratio':>6}")
    for name, r in results.items():
        print(
            f"{name:32} {r['rps']:9.0f} {r['mb_s']:8.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} "
            f"{r['errors']:6d} {r['rps'] / base:6.2f}"
        )


if __name__ == "__main__":
    main()
