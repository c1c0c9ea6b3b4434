"""`npm run profile`'s reading of the laptop's ADC quota project (scripts/adcQuota.ts) against
google-auth itself (2.63.0, pinned in requirements.txt: what the client extension mints ID
tokens with): for each set-up, the file our script reads and the quota project it reports are the
ones `google.auth.default()` uses."""
import json
import os
import subprocess
import sys

import pytest

from conftest import REPO_ROOT

ADC = {"type": "authorized_user", "client_id": "offline-client.apps.googleusercontent.com",
       "client_secret": "offline-not-a-secret", "refresh_token": "offline-not-a-token"}


def _write(path, quota_project=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**ADC, **({"quota_project_id": quota_project} if quota_project else {})}))


@pytest.fixture()
def setups(tmp_path):
    """(name, env) pairs: each a HOME and environment as a laptop might have them."""
    cases = []
    for name, quota, extra in [
        ("gcloud login with a quota project", "acme-ml-dev", {}),
        ("gcloud login without one", None, {}),
        ("GOOGLE_CLOUD_QUOTA_PROJECT over the file", "acme-ml-dev", {"GOOGLE_CLOUD_QUOTA_PROJECT": "billing-project"}),
        ("CLOUDSDK_CONFIG", "from-cloudsdk-config", {"CLOUDSDK_CONFIG": "elsewhere"}),
        ("GOOGLE_APPLICATION_CREDENTIALS", "from-explicit-file", {"GOOGLE_APPLICATION_CREDENTIALS": "adc.json"}),
    ]:
        home = tmp_path / name.replace(" ", "-")
        env = {"HOME": str(home), "PATH": os.environ["PATH"]}
        for key, value in extra.items():
            env[key] = str(home / value) if key in ("CLOUDSDK_CONFIG", "GOOGLE_APPLICATION_CREDENTIALS") else value
        if "GOOGLE_APPLICATION_CREDENTIALS" in extra:
            _write(home / "adc.json", quota)
            _write(home / ".config" / "gcloud" / "application_default_credentials.json", "not-this-one")
        elif "CLOUDSDK_CONFIG" in extra:
            _write(home / "elsewhere" / "application_default_credentials.json", quota)
        else:
            _write(home / ".config" / "gcloud" / "application_default_credentials.json", quota)
        cases.append((name, env))
    return cases


GOOGLE_AUTH = """
import json, warnings
warnings.simplefilter("ignore")  # google-auth warns about user credentials without a quota project
import google.auth
credentials, _ = google.auth.default()
print(json.dumps(credentials.quota_project_id))
"""

OURS = """
const { readAdcQuota } = require("./scripts/adcQuota");
const cases = JSON.parse(process.argv[1]);
process.stdout.write(JSON.stringify(cases.map((env) => readAdcQuota(env, env.HOME).quotaProject ?? null)));
"""


def test_the_script_reads_the_quota_project_google_auth_uses(setups):
    ts_node = REPO_ROOT / "node_modules" / "ts-node" / "dist" / "bin.js"
    ours = subprocess.run(
        ["node", str(ts_node), "--transpile-only", "-e", OURS, json.dumps([env for _, env in setups])],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True,
    )
    reported = json.loads(ours.stdout)
    for (name, env), our_quota in zip(setups, reported):
        done = subprocess.run([sys.executable, "-c", GOOGLE_AUTH], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{name}: {done.stderr}"
        assert json.loads(done.stdout) == our_quota, (name, done.stdout, our_quota)
    assert reported == ["acme-ml-dev", None, "billing-project", "from-cloudsdk-config", "from-explicit-file"]
