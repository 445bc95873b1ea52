#!/usr/bin/env bash
# Install everything into .venv/ and start Trappetrin on demo data.
# Extra arguments go to `streamlit run`, e.g. ./run.sh --server.port 8600
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

bash scripts/install.sh

# Builds the demo database at $TRAPPETRIN_DB (default data/trappetrin.duckdb)
# unless one already exists.
.venv/bin/python -m trappetrin ensure-db

exec .venv/bin/streamlit run serve.py "$@"
