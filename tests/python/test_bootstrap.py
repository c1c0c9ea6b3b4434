"""Metaflow's pod bootstrap, as compiled into our Argo templates, run the way the task image runs it.

The commands come from the templates Metaflow compiled (conftest.py `compiled_flows`), cut after
the code-package download loop (metaflow 2.19.39 metaflow_environment.py `get_package_commands`:
"Setting up task environment.", the dependency install guarded by
METAFLOW_SKIP_INSTALL_DEPENDENCIES, then `download-gcp-object` up to 6 times and "Code package
downloaded."). They run with:
- the task image's packages: .venv-image, built by scripts/pytest.sh from docker/requirements.txt
  (both Dockerfile targets install that file; Python 3.11 like both base images);
- the image's ENV from docker/Dockerfile (so METAFLOW_SKIP_INSTALL_DEPENDENCIES as set there);
- the image's non-root uid 1000 (privileges dropped when the suite runs as root), for which the
  environment's site-packages is read-only, as in the image;
- the GCS emulator on 127.0.0.1 holding the code package the compiler uploaded.
"""
import os
import re
import shutil
import signal
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

from conftest import REPO_ROOT, VENV_IMAGE

IMAGE_UID = 1000  # docker/Dockerfile: `USER 1000:1000` in every stage
DOWNLOAD_LOOP_END = " after 6 tries. Exiting...' && exit 1; fi"
DOWNLOADED = "Code package downloaded."
# What Argo substitutes before the pod starts (values of the shape Argo gives them).
ARGO_PLACEHOLDERS = {
    "{{workflow.name}}": "sampleflow-x7k2p",
    "{{workflow.creationTimestamp}}": "2026-11-28T00:00:00Z",
    "{{inputs.parameters.input-paths}}": "argo-sampleflow-x7k2p/start/t-1a2b3c4d",
}
# A download retried 6 times sleeps 50 s; a healthy one takes seconds.
BOOTSTRAP_TIMEOUT_S = 45


def image_env():
    """The ENV of docker/Dockerfile's stages (required to be the same in every stage)."""
    text = (REPO_ROOT / "docker" / "Dockerfile").read_text()
    stages = []
    for block in re.findall(r"^ENV ((?:.*\\\n)*.*)$", text, re.M):
        stages.append(dict(pair.split("=", 1) for pair in block.replace("\\\n", " ").split()))
    assert len(stages) == len(re.findall(r"^FROM ", text, re.M)) and all(s == stages[0] for s in stages), stages
    return stages[0]


def bootstrap_until_download(template):
    command = template["container"]["command"]
    assert command[:2] == ["bash", "-c"], command[:2]
    script = command[2]
    script = script[: script.index(DOWNLOAD_LOOP_END) + len(DOWNLOAD_LOOP_END)]
    assert "METAFLOW_SKIP_INSTALL_DEPENDENCIES" in script and DOWNLOADED in script
    for placeholder, value in ARGO_PLACEHOLDERS.items():
        script = script.replace(placeholder, value)
    assert "{{" not in script, script
    return script


def as_image_user():
    """Popen arguments that run a child as the image's uid (only root may switch)."""
    return {"user": IMAGE_UID, "group": IMAGE_UID, "extra_groups": []} if os.getuid() == 0 else {}


@pytest.fixture()
def pod_home():
    """The pod's working directory, owned by the image user (pytest's tmp_path is private to root)."""
    home = Path(tempfile.mkdtemp(prefix="metaflow-pod-"))
    if os.getuid() == 0:
        os.chown(home, IMAGE_UID, IMAGE_UID)
    yield home
    shutil.rmtree(home)


def test_the_image_environment_is_non_root_and_cannot_install_into_its_site_packages():
    assert (VENV_IMAGE / "bin" / "download-gcp-object").exists(), "scripts/pytest.sh builds .venv-image"
    probe = "import os, sysconfig; print(os.getuid(), os.access(sysconfig.get_paths()['purelib'], os.W_OK))"
    result = subprocess.run(
        [str(VENV_IMAGE / "bin" / "python"), "-c", probe], capture_output=True, text=True, timeout=30, **as_image_user()
    )
    assert result.returncode == 0, f"uid {IMAGE_UID} cannot run {VENV_IMAGE} (is the checkout readable by others?): {result.stderr}"
    uid, writable = result.stdout.split()
    assert uid != "0"
    if os.getuid() == 0:
        # As in the image: packages installed by root, steps run as 1000. Metaflow's own pip
        # install would go to ~/.local, whose bin is not on PATH; hence the skip variable.
        assert writable == "False"
    assert image_env()["METAFLOW_SKIP_INSTALL_DEPENDENCIES"]


def test_every_step_on_our_image_downloads_its_code_package_with_the_images_packages(compiled_flows, offline_gcp, pod_home):
    runs = []
    for stack, compiled in compiled_flows.items():
        for name, template in compiled.step_templates.items():
            if template["container"]["image"] != compiled.profile["METAFLOW_KUBERNETES_CONTAINER_IMAGE"]:
                continue
            workdir = pod_home / f"{stack}-{name}"
            workdir.mkdir()
            if os.getuid() == 0:
                os.chown(workdir, IMAGE_UID, IMAGE_UID)
            env = {
                **image_env(),
                **{e["name"]: e["value"] for e in template["container"]["env"] if e.get("value") is not None},
                "PATH": f"{VENV_IMAGE / 'bin'}:/usr/local/bin:/usr/bin:/bin",
                "HOME": str(workdir),
                "STORAGE_EMULATOR_HOST": offline_gcp.storage_host,
            }
            process = subprocess.Popen(
                ["bash", "-c", bootstrap_until_download(template)],
                cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                start_new_session=True, **as_image_user(),
            )
            runs.append((stack, name, workdir, process))
    assert {name for _, name, _, _ in runs} == {"start", "train", "end"}
    for stack, name, workdir, process in runs:
        try:
            output, _ = process.communicate(timeout=BOOTSTRAP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            pytest.fail(f"{stack}/{name}: no code package within {BOOTSTRAP_TIMEOUT_S} s:\n{output}")
        assert process.returncode == 0, f"{stack}/{name}:\n{output}"
        assert output.splitlines()[:1] == ["Setting up task environment."], output
        assert DOWNLOADED in output, output
        with tarfile.open(workdir / "metaflow" / "job.tar") as package:
            assert "sample_flow.py" in package.getnames(), f"{stack}/{name}: the package holds the flow"
