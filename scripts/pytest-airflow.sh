#!/usr/bin/env bash
# The Airflow part of the Python test layer (part of `npm test`): builds .venv-airflow from
# tests/python/airflow/requirements.txt (only when that file changed since the last build), then
# runs pytest on tests/python/airflow. Separate from .venv because Airflow pins a hundred-odd
# packages of its own. First build: about 1-2 minutes with a cold pip cache (see README "Tests").
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=lib/python-env.sh
. scripts/lib/python-env.sh
python_bin=$(find_python311 pytest-airflow.sh)
venv=.venv-airflow
# --no-deps: the file is a complete freeze, so pip skips resolving; `pip check` proves it complete.
if build_venv pytest-airflow.sh "$python_bin" "$venv" tests/python/airflow/requirements.txt --no-deps; then
    "$venv/bin/python" -m pip check --disable-pip-version-check
fi

# -p no:cacheprovider: no .pytest_cache in the work tree.
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/python/airflow "$@"
