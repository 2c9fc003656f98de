#!/usr/bin/env bash
# Run the whole test suite: `make test` calls this.
#
# Database and broker, in this order of preference:
#   1. DATABASE_URL / REDIS_URL when set;
#   2. the local PostgreSQL and Redis on their default ports when they answer;
#   3. SQLite and in-process tasks, with the PostgreSQL-only tests skipped (said loudly).
# Debian's chromium is installed for the browser tests when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

answers() { "$PY" - "$1" "$2" <<'PYEOF'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PYEOF
}

if [[ -z "${DATABASE_URL:-}" ]] && answers 127.0.0.1 5432 \
    && "$PY" -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=2).close()" 2>/dev/null; then
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/lokapasar"
fi
if [[ -z "${REDIS_URL:-}" ]] && answers 127.0.0.1 6379; then
  export REDIS_URL="redis://127.0.0.1:6379/0"
fi

missing=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)  # production-mode browser test
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)   # browser tests
command -v xgettext >/dev/null 2>&1 || missing+=(gettext)    # translation completeness test
if ((${#missing[@]})); then
  echo "== installing Debian packages the tests need: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

"$PY" manage.py compile_translations >/dev/null

echo "== database: ${DATABASE_URL:-SQLite (embedded default)}"
echo "== broker and cache: ${REDIS_URL:-none (tasks in-process, local-memory cache)}"
if [[ -z "${DATABASE_URL:-}" ]]; then
  echo "!! ======================================================================="
  echo "!! NO POSTGRESQL: running on SQLite; PostgreSQL-only tests will be SKIPPED."
  echo "!! ======================================================================="
fi

set +e
# Two test processes (the machine's two cores); each has its own test database and
# Redis database. PYTEST_WORKERS=0 runs them in this process.
"$PY" -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
status=$?
set -e
if [[ $status -eq 5 ]]; then
  echo "== pytest collected no tests"
  exit 0
fi
exit $status
