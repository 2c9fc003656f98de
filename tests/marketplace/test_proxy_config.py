"""``manage.py proxy_config``: the nginx configuration nginx itself accepts, for the
configured paths, and never one that would publish the private documents."""

import io
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _config(*args) -> str:
    out = io.StringIO()
    call_command("proxy_config", *args, stdout=out)
    return out.getvalue()


def test_it_serves_the_configured_media_and_static_folders_and_proxies_the_rest(settings):
    settings.STATIC_ROOT = "/srv/lokapasar/static"
    config = _config("--upstream", "10.0.0.5:8000")
    media_root = settings.MEDIA_ROOT.resolve()
    assert f"location /media/ {{\n        alias {media_root}/;" in config
    assert "location /static/ {\n        alias /srv/lokapasar/static/;" in config
    assert "server 10.0.0.5:8000;" in config
    for header in ("X-Forwarded-Proto $scheme", "X-Forwarded-For $proxy_add_x_forwarded_for"):
        assert header in config
    assert str(settings.PRIVATE_MEDIA_ROOT.resolve()) not in config


def test_it_refuses_private_documents_inside_the_public_media_folder(settings):
    settings.PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT / "private"
    with pytest.raises(CommandError, match="PRIVATE_MEDIA_ROOT"):
        _config()


def test_nginx_accepts_the_standalone_configuration(tmp_path):
    prefix = tmp_path / "nginx"
    (prefix).mkdir()
    (prefix / "nginx.conf").write_text(_config("--standalone", str(prefix), "--listen", "8089"))
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
