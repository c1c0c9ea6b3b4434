# Shared by scripts/pytest.sh and scripts/pytest-airflow.sh (sourced, not run): finding Python
# 3.11 and building a virtual environment once per requirements file.

# find_python311 CALLER: prints the first of python3.11, python3 that is Python 3.11, or stops
# with CALLER's name and the fix.
find_python311() {
    local candidate
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "$1: Python 3.11 not found (tried python3.11, python3); install it to run the Python test layer" >&2
    exit 1
}

# build_venv CALLER PYTHON DIR REQUIREMENTS [PIP_INSTALL_ARGS...]: (re)builds DIR with PYTHON from
# REQUIREMENTS when the file's hash changed since the last build (the hash is stamped inside DIR);
# a failed install removes DIR, so the next run starts clean, and stops with the cause.
build_venv() {
    local caller=$1 python=$2 venv=$3 requirements=$4
    shift 4
    local stamp="$venv/.requirements.sha256" want have
    want=$(sha256sum "$requirements" | cut -d' ' -f1)
    have=$(cat "$stamp" 2>/dev/null || true)
    if [ "$want" != "$have" ]; then
        echo "$caller: building $venv from $requirements (first run or requirements changed)"
        rm -rf "$venv"
        "$python" -m venv "$venv"
        if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "$@" -r "$requirements"; then
            echo "$caller: pip could not install $requirements into $venv (see pip's message above; PyPI reachable?)" >&2
            rm -rf "$venv"
            exit 1
        fi
        echo "$want" > "$stamp"
        return 0
    fi
    return 1
}
