"""Shared fixtures of the Python test layer.

`stack_outputs` renders the committed stacks once per session with the TypeScript harness
(tests/harness/exportStack.ts, under Pulumi's mocks) and hands their outputs to the tests, which
then ask the real Metaflow client what it makes of them.
"""
import json
import os
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in REPO_ROOT.glob("Pulumi.*.yaml"))


@pytest.fixture(scope="session")
def stack_outputs():
    """{stack: {output name: value}} for every committed stack (secrets shown as "[secret]")."""
    ts_node = REPO_ROOT / "node_modules" / ".bin" / "ts-node"
    result = subprocess.run(
        [str(ts_node), "--transpile-only", "tests/harness/exportStack.ts", *STACKS],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PULUMI_CONFIG_PASSPHRASE": ""},
    )
    if result.returncode != 0:
        raise RuntimeError(f"exportStack failed:\n{result.stderr}")
    return json.loads(result.stdout)


@pytest.fixture()
def isolated_home(tmp_path, monkeypatch):
    """A HOME and METAFLOW_HOME of the test's own, so no developer profile leaks in."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("METAFLOW_HOME", str(home / ".metaflowconfig"))
    for key in list(os.environ):
        if key.startswith("METAFLOW_") and key != "METAFLOW_HOME":
            monkeypatch.delenv(key)
    return home
