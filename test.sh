#!/usr/bin/env bash
# Install everything into .venv/ and run the whole test suite: ruff (lint and format check),
# the import contracts (import-linter), then pytest (tests/unit, tests/app, tests/e2e).
# Extra arguments go to pytest, e.g.
#   ./test.sh tests/unit -x        ./test.sh -m "not e2e"      ./test.sh -n 0
#
# Environment:
#   PYTEST_WORKERS  number of pytest-xdist workers (default: CPU count, max 4;
#                   0 disables xdist). Ignored when you pass -n yourself.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

bash scripts/install.sh

# Browser tests drive the system Chromium; Playwright's own browser download
# does not work on our machines, so never call `playwright install`.
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ ! -x "$CHROMIUM" ]]; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Chromium for browser tests …"
        if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
               && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
            echo "test.sh: warning: could not install chromium; browser tests will not run." >&2
        fi
    else
        echo "test.sh: warning: $CHROMIUM not found and cannot install it (not root)." >&2
        echo "  Browser tests will be skipped (they fail under CI=true)." >&2
    fi
fi

# The movers.js parity test runs the browser's rule engine under Node (Debian's nodejs).
if ! command -v node >/dev/null 2>&1; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Node.js for the movers.js parity test …"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null \
            || echo "test.sh: warning: could not install nodejs; the parity test will fail." >&2
    else
        echo "test.sh: warning: node not found and cannot install it (not root)." >&2
    fi
fi

# Parallelise with pytest-xdist unless the caller chose otherwise.
xdist=()
want_xdist=1
for arg in "$@"; do
    case "$arg" in
        -n*|--numprocesses|--numprocesses=*|no:xdist|-pno:xdist|--pdb|--trace|--collect-only|--co)
            want_xdist=0 ;;
    esac
done
if [[ $want_xdist -eq 1 ]]; then
    workers="${PYTEST_WORKERS:-$(nproc 2>/dev/null || echo 1)}"
    if [[ -z "${PYTEST_WORKERS:-}" && $workers -gt 4 ]]; then
        workers=4
    fi
    if [[ $workers -ge 2 ]]; then
        xdist=(-n "$workers")
    fi
fi

# Lint and format first: a style slip fails in seconds, not after the browser tests.
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
# Architecture contracts (pyproject.toml [tool.importlinter]): the domain package imports neither
# Streamlit nor ui/, DuckDB only behind the store/importers/backup, no import cycles.
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache

exec .venv/bin/python -m pytest ${xdist[@]+"${xdist[@]}"} "$@"
