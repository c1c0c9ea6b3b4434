#!/usr/bin/env bash
# The Python test layer of `npm test`: builds .venv from tests/python/requirements.txt (only when
# that file changed since the last build), then runs pytest on tests/python.
# A fresh machine needs Python 3.11 (python3.11 or python3) and access to PyPI for the first run.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
requirements=tests/python/requirements.txt
stamp="$venv/.requirements.sha256"

python_bin=""
for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
        python_bin=$candidate
        break
    fi
done
if [ -z "$python_bin" ]; then
    echo "pytest.sh: Python 3.11 not found (tried python3.11, python3); install it to run the Python test layer" >&2
    exit 1
fi

want=$(sha256sum "$requirements" | cut -d' ' -f1)
have=$(cat "$stamp" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
    echo "pytest.sh: building $venv from $requirements (first run or requirements changed)"
    rm -rf "$venv"
    "$python_bin" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
    echo "$want" > "$stamp"
fi

# -p no:cacheprovider: no .pytest_cache in the work tree.
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/python "$@"
