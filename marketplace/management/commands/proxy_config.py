"""Write the nginx configuration that fronts gunicorn in production.

With ``DEBUG`` off Django serves no uploaded file: nginx serves ``/media/`` (photos and
logos, from ``MEDIA_ROOT``) and ``/static/`` (``collectstatic``'s output, with its
pre-compressed copies) and hands everything else to gunicorn with the
``X-Forwarded-*`` headers that ``TRUSTED_PROXY_COUNT=1`` tells Django to believe.
Private documents (business licences) live in ``PRIVATE_MEDIA_ROOT``, outside
``MEDIA_ROOT``: nginx has no location for them, so only the views that check who asks
can send them. The command refuses a ``PRIVATE_MEDIA_ROOT`` inside ``MEDIA_ROOT``.

    manage.py proxy_config > /etc/nginx/sites-available/lokapasar   # a server block
    manage.py proxy_config --listen 443 --tls-certificate fullchain.pem --tls-key key.pem
        # the same, terminating TLS (X-Forwarded-Proto tells Django the request was https)
    manage.py proxy_config --standalone var/nginx > var/nginx/nginx.conf
        # a whole nginx.conf that an unprivileged user can run (nginx -c ... -p ...)
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SERVER = """\
# Lokapasar behind nginx: written by `manage.py proxy_config`; run it again after
# changing MEDIA_ROOT, STATIC_ROOT or the upstream.
upstream lokapasar_app {{
    server {upstream};
    keepalive 16;
}}

server {{
    listen {listen};
    server_name {server_name};
{tls}    # Photos up to 5 MB are uploaded through the forms (DATA_UPLOAD_MAX_MEMORY_SIZE).
    client_max_body_size 6m;
    server_tokens off;

    # collectstatic's output: hashed names, so cached for a year.
    location {static_url} {{
        alias {static_root}/;
        gzip_static on;
        expires 1y;
        add_header Cache-Control "public, immutable";
        add_header X-Content-Type-Options nosniff;
        access_log off;
    }}

    # Public uploads only (product photos and their renditions, cooperative logos).
    # Uploaded files are never run or framed: no script, no sniffing.
    location {media_url} {{
        alias {media_root}/;
        expires 7d;
        add_header Cache-Control "public";
        add_header X-Content-Type-Options nosniff;
        add_header Content-Security-Policy "default-src 'none'; img-src 'self'; sandbox";
        location ~ /\\. {{ return 404; }}
    }}

    location / {{
        proxy_pass http://lokapasar_app;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        # $http_host keeps the port the browser used ($host drops it), so Django's
        # CSRF origin check and the links it builds name the address actually served.
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_redirect off;
        proxy_read_timeout 60s;
    }}
}}
"""

TLS = """\
    ssl_certificate {certificate};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:lokapasar_tls:1m;
"""

STANDALONE = """\
# A whole nginx.conf for an unprivileged nginx: nginx -p {prefix} -c {prefix}/nginx.conf
daemon off;
{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;

events {{
    worker_connections 256;
}}

http {{
    include {mime_types};
    default_type application/octet-stream;
    sendfile on;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;

{server}}}
"""


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


class Command(BaseCommand):
    help = "Print the nginx configuration: media and static files, the rest proxied to gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--listen", default="80", help="nginx's listen address (80)")
        parser.add_argument(
            "--upstream", default="127.0.0.1:8000", help="gunicorn's address (127.0.0.1:8000)"
        )
        parser.add_argument(
            "--server-name",
            default="",
            help="server_name (default: ALLOWED_HOSTS, or _ when it names none)",
        )
        parser.add_argument(
            "--standalone",
            metavar="DIR",
            default="",
            help="write a whole nginx.conf whose pid, logs and temporary files live in DIR",
        )
        parser.add_argument("--mime-types", default="/etc/nginx/mime.types")
        parser.add_argument(
            "--tls-certificate",
            default="",
            help="terminate TLS here with this certificate chain (PEM); --tls-key with it",
        )
        parser.add_argument("--tls-key", default="", help="the certificate's private key (PEM)")

    def handle(self, *args, **options):
        media_root = Path(settings.MEDIA_ROOT).resolve()
        private_root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
        if _inside(private_root, media_root) or _inside(media_root, private_root):
            raise CommandError(
                "PRIVATE_MEDIA_ROOT must lie outside MEDIA_ROOT: nginx serves all of "
                "MEDIA_ROOT to anyone."
            )
        hosts = [host for host in settings.ALLOWED_HOSTS if host not in {"*", ""}]
        server_name = options["server_name"] or " ".join(hosts) or "_"
        if bool(options["tls_certificate"]) != bool(options["tls_key"]):
            raise CommandError("--tls-certificate and --tls-key go together.")
        listen, tls = options["listen"], ""
        if options["tls_certificate"]:
            listen += " ssl"
            tls = TLS.format(
                certificate=Path(options["tls_certificate"]).resolve(),
                key=Path(options["tls_key"]).resolve(),
            )
        server = SERVER.format(
            upstream=options["upstream"],
            listen=listen,
            tls=tls,
            server_name=server_name,
            static_url=settings.STATIC_URL,
            static_root=Path(settings.STATIC_ROOT).resolve(),
            media_url=settings.MEDIA_URL,
            media_root=media_root,
        )
        if not options["standalone"]:
            self.stdout.write(server, ending="")
            return
        prefix = Path(options["standalone"]).resolve()
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / "tmp" / folder).mkdir(parents=True, exist_ok=True)
        indented = "".join(f"    {line}\n" if line else "\n" for line in server.splitlines())
        # Started by root, nginx would run its workers as "nobody", who may not read the
        # deployment's files: a standalone nginx runs as whoever starts it.
        user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
        self.stdout.write(
            STANDALONE.format(
                prefix=prefix, mime_types=options["mime_types"], server=indented, user=user
            ),
            ending="",
        )
