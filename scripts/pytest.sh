#!/usr/bin/env bash
# The Python test layer of `npm test`: builds .venv from tests/python/requirements.txt and
# .venv-image from docker/requirements.txt (each only when its file changed since the last
# build), installs the client extension (client/) into .venv, then runs pytest on tests/python
# and client/tests.
# A fresh machine needs Python 3.11 (python3.11 or python3) and access to PyPI for the first run.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=lib/python-env.sh
. scripts/lib/python-env.sh
python_bin=$(find_python311 pytest.sh)

# The task image's steps run as uid 1000; the bootstrap test runs its environment as that uid,
# so when we are root it needs a Python 3.11 that uid can execute (pyenv under /root is private).
image_python=$python_bin
if [ "$(id -u)" = 0 ]; then
    image_python=""
    for candidate in "$(command -v python3.11 || true)" "$(command -v python3 || true)" /usr/bin/python3.11 /usr/local/bin/python3.11; do
        if [ -n "$candidate" ] && setpriv --reuid=1000 --regid=1000 --clear-groups "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
            image_python=$candidate
            break
        fi
    done
    if [ -z "$image_python" ]; then
        echo "pytest.sh: no Python 3.11 that uid 1000 (the task image's user) can run; install the OS package python3.11" >&2
        exit 1
    fi
fi

# The test layer itself: Metaflow, the GCS emulator, the Argo Workflows models.
build_venv pytest.sh "$python_bin" .venv tests/python/requirements.txt || true
# What the task image installs (docker/requirements.txt), in its own environment: the bootstrap
# test runs Metaflow's pod bootstrap with exactly these packages, as a non-root user.
build_venv pytest.sh "$image_python" .venv-image docker/requirements.txt || true

# The client extension (client/, package metaflow-gcp-iap), editable so its tests and Metaflow's
# extension loader see the work tree; reinstalled when its pyproject.toml changes (its dependency
# google-auth is pinned in requirements.txt). compat mode puts client/ on sys.path through a plain
# .pth: setuptools' default import hook hides the namespace package metaflow_extensions from
# Metaflow's extension discovery, and pip ignores --config-settings on a requirements-file line.
client_stamp=.venv/.client.sha256
client_want=$(sha256sum client/pyproject.toml | cut -d' ' -f1)
if [ "$client_want" != "$(cat "$client_stamp" 2>/dev/null || true)" ]; then
    if ! .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-input --no-deps \
        --config-settings editable_mode=compat -e ./client; then
        echo "pytest.sh: pip could not install the client extension (client/) into .venv (see pip's message above)" >&2
        exit 1
    fi
    echo "$client_want" > "$client_stamp"
fi

# -p no:cacheprovider: no .pytest_cache in the work tree. The warning filter: Metaflow's vendored
# PyYAML imports the top-level `_yaml` module that PyYAML 6 deprecates (metaflow/_vendor/yaml/cyaml.py).
# client/tests are the extension's own standard-library unittest cases; pytest collects them too.
exec .venv/bin/python -m pytest -q -p no:cacheprovider -W "ignore:The _yaml extension module:DeprecationWarning" --ignore=tests/python/airflow tests/python client/tests "$@"
