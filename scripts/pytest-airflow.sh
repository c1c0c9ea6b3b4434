#!/usr/bin/env bash
# The Airflow part of the Python test layer (part of `npm test`): builds .venv-airflow from
# tests/python/airflow/requirements.txt (only when that file changed since the last build), then
# runs pytest on tests/python/airflow. Separate from .venv because Airflow pins a hundred-odd
# packages of its own. First build: about 1-2 minutes with a cold pip cache (see README "Tests").
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-airflow
requirements=tests/python/airflow/requirements.txt
stamp="$venv/.requirements.sha256"

python_bin=""
for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
        python_bin=$candidate
        break
    fi
done
if [ -z "$python_bin" ]; then
    echo "pytest-airflow.sh: Python 3.11 not found (tried python3.11, python3); install it to run the Airflow test layer" >&2
    exit 1
fi

want=$(sha256sum "$requirements" | cut -d' ' -f1)
have=$(cat "$stamp" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
    echo "pytest-airflow.sh: building $venv from $requirements (first run or requirements changed)"
    rm -rf "$venv"
    "$python_bin" -m venv "$venv"
    # --no-deps: the file is a complete freeze, so pip skips resolving; `pip check` proves it complete.
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps -r "$requirements"
    "$venv/bin/python" -m pip check --disable-pip-version-check
    echo "$want" > "$stamp"
fi

# -p no:cacheprovider: no .pytest_cache in the work tree.
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/python/airflow "$@"
