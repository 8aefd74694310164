#!/usr/bin/env bash
# The whole test suite, as the README and .ci/run run it:
#   1. a local virtual environment (.venv, created if missing) with the package and its test extras;
#   2. ruff check;
#   3. every test on the embedded SQLite database, browser tests included (pytest -n 2);
#   4. every test but the browser ones on a real PostgreSQL server: SERVICECOACH_TEST_POSTGRES_URL when set,
#      else a throwaway cluster started here when PostgreSQL's server programs are installed.
# Exits non-zero when any step fails (pytest's "no tests collected", exit code 5, counts as a failure).
# Extra arguments go to both pytest runs, e.g.  bash scripts/test.sh -x -k matrix
set -uo pipefail

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
WORKERS="${SERVICECOACH_TEST_WORKERS:-2}"
failed=()
summary=()

started=$SECONDS
step() { printf '\n==> [%4d s] %s\n' "$((SECONDS - started))" "$*"; }

if [ ! -x .venv/bin/python ]; then
    step "creating .venv with $PYTHON"
    "$PYTHON" -m venv .venv || { echo "scripts/test.sh: FAILED: could not create .venv (apt-get install python3-venv)"; exit 1; }
fi
step "installing the package with its test dependencies"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]' \
    || { echo "scripts/test.sh: FAILED: pip install -e '.[test]'"; exit 1; }

step "ruff check ."
if .venv/bin/ruff check .; then summary+=("ruff clean"); else failed+=("ruff"); fi

run_pytest() {  # label, then pytest arguments
    local label="$1"; shift
    step "pytest on $label: $*"
    .venv/bin/python -m pytest "$@"
    local rc=$?
    if [ "$rc" -eq 0 ]; then
        summary+=("$label passed")
    elif [ "$rc" -eq 5 ]; then
        echo "scripts/test.sh: pytest collected no tests on $label"
        failed+=("$label (no tests collected)")
    else
        failed+=("$label (pytest exit code $rc)")
    fi
}

# --- SQLite: the whole suite, in parallel (live_server and the browser tests work under xdist) --------------
sqlite_dir="$(mktemp -d)"
SERVICECOACH_DATABASE_URL= SERVICECOACH_VAR_DIR="$sqlite_dir" \
    run_pytest "SQLite" -n "$WORKERS" "$@"
rm -rf "$sqlite_dir"

# --- PostgreSQL ------------------------------------------------------------------------------------------------
pg_url="${SERVICECOACH_TEST_POSTGRES_URL:-}"
pg_tmp=""
pg_ctl=""
stop_postgres() {
    if [ -n "$pg_tmp" ] && [ -n "$pg_ctl" ]; then
        as_pg "$pg_ctl" -D "$pg_tmp/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$pg_tmp"
        pg_tmp=""
    fi
}
trap stop_postgres EXIT INT TERM

as_pg() {  # PostgreSQL refuses to run as root: use the postgres account then.
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -z "$pg_url" ]; then
    pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] && { [ "$(id -u)" -ne 0 ] || id postgres >/dev/null 2>&1; }; then
        step "starting a throwaway PostgreSQL cluster ($pg_bin)"
        pg_tmp="$(mktemp -d /tmp/servicecoach-pg.XXXXXX)"
        pg_ctl="$pg_bin/pg_ctl"
        [ "$(id -u)" -eq 0 ] && chown postgres: "$pg_tmp"
        port="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
        if as_pg "$pg_bin/initdb" -D "$pg_tmp/data" -U servicecoach -A trust -E UTF8 --locale=C.UTF-8 >"$pg_tmp/initdb.log" 2>&1 \
            && as_pg "$pg_ctl" -D "$pg_tmp/data" -l "$pg_tmp/server.log" -w \
                 -o "-p $port -k $pg_tmp -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null; then
            pg_url="postgres://servicecoach@127.0.0.1:$port/servicecoach"
            as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U servicecoach servicecoach
        else
            cat "$pg_tmp"/*.log 2>/dev/null
            failed+=("PostgreSQL (the throwaway cluster did not start)")
        fi
    fi
fi

if [ -n "$pg_url" ]; then
    SERVICECOACH_DATABASE_URL="$pg_url" run_pytest "PostgreSQL" -m "not browser" -n "$WORKERS" "$@"
elif [ -z "$pg_tmp" ]; then  # neither a URL nor the server programs
    msg="no PostgreSQL: set SERVICECOACH_TEST_POSTGRES_URL or apt-get install postgresql"
    if [ -n "${CI:-}" ]; then failed+=("PostgreSQL ($msg)"); else summary+=("PostgreSQL SKIPPED ($msg)"); fi
fi
stop_postgres

echo
summary+=("$((SECONDS - started)) s")
if [ ${#failed[@]} -eq 0 ]; then
    echo "scripts/test.sh: ALL PASSED: $(IFS=';'; echo "${summary[*]}" | sed 's/;/, /g')"
    exit 0
fi
echo "scripts/test.sh: FAILED: $(IFS=';'; echo "${failed[*]}" | sed 's/;/, /g')"
exit 1
