#!/usr/bin/env bash
# Install everything Trappetrin needs (runtime + test tools) into .venv/.
#
# Idempotent: the pip step is skipped when .venv/.installed-<hash> exists,
# where <hash> is the sha256 of requirements*.txt, constraints.txt and pyproject.toml.
# Installs the pinned libraries, then the trappetrin package editable (console script
# .venv/bin/trappetrin).
# Change any of those files and the next run reinstalls.
#
# Environment:
#   PYTHON  interpreter used to create .venv (default: python3)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv"
for f in requirements.txt requirements-dev.txt constraints.txt; do
    if [[ ! -f "$f" ]]; then
        echo "install.sh: missing $f in $(pwd)" >&2
        exit 1
    fi
done

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "Creating virtual environment in .venv …"
    if ! "$PYTHON" -m venv "$VENV"; then
        echo "install.sh: '$PYTHON -m venv' failed." >&2
        echo "  On Debian/Ubuntu: apt-get install python3-venv" >&2
        exit 1
    fi
fi

# sha256 over requirements*.txt (sorted by name), constraints.txt and pyproject.toml.
hash="$("$VENV/bin/python" -c '
import glob, hashlib
h = hashlib.sha256()
for name in sorted(glob.glob("requirements*.txt")) + ["constraints.txt", "pyproject.toml"]:
    with open(name, "rb") as f:
        h.update(f.read())
print(h.hexdigest())
')"
stamp="$VENV/.installed-$hash"

if [[ -f "$stamp" ]]; then
    echo "Python packages are up to date (.venv)."
    exit 0
fi

echo "Installing Python packages into .venv … (first run takes a few minutes)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r requirements-dev.txt -c constraints.txt
# The trappetrin package itself, editable: the `trappetrin` command runs this checkout.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-deps --no-build-isolation --editable .

rm -f "$VENV"/.installed-*
touch "$stamp"
echo "Python packages installed."
