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
  environment's site-packages is read-only, as in the image. As root, that uid gets a copy of the
  environment in a private directory it owns (`image_home`), so the test does not depend on where
  the checkout lives: a clone under /root or in a `mktemp -d` directory is closed to other users;
- the GCS emulator on 127.0.0.1 holding the code package the compiler uploaded.
"""
import errno
import os
import re
import shutil
import signal
import stat
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


def reachable_temp_dir():
    """A temporary directory every user may pass through: the platform's first whose every
    ancestor lets others search it (TMPDIR may be a private directory)."""
    for candidate in (tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"):
        path = Path(candidate).resolve()
        if path.is_dir() and all(p.stat().st_mode & stat.S_IXOTH for p in (path, *path.parents)):
            return path
    pytest.fail(f"no temporary directory uid {IMAGE_UID} can reach (tried TMPDIR, /tmp, /var/tmp, /dev/shm)")


def link_or_copy(source, target):
    """Hard-links a file (instant; root keeps owning it), copying across file systems."""
    try:
        os.link(source, target)
    except OSError as error:
        if error.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
            raise
        shutil.copy2(source, target)
    return target


def copy_venv(source, target):
    """`source` at `target`, runnable there: the console scripts' shebangs name the new
    interpreter (pip writes the environment's absolute path into them)."""
    shutil.copytree(source, target, symlinks=True, copy_function=link_or_copy)
    old = f"#!{source}/bin/python".encode()
    for script in (target / "bin").iterdir():
        if script.is_symlink() or not script.is_file():
            continue
        content = script.read_bytes()
        if content.startswith(old):
            script.unlink()  # a hard link: write a new file, never the checkout's
            script.write_bytes(f"#!{target}/bin/python".encode() + content[len(old):])
            script.chmod(0o755)


@pytest.fixture(scope="module")
def image_home():
    """Where uid 1000 works: its own private directory (mode 0700) in a temporary directory
    anyone may pass through, holding a copy of .venv-image owned by root, so its site-packages
    stays read-only to that uid as in the image, wherever the checkout lives. Without root the
    suite cannot switch users and runs the checkout's environment as itself."""
    if os.getuid() != 0:
        home = Path(tempfile.mkdtemp(prefix="metaflow-pod-"))
        yield home, VENV_IMAGE
        shutil.rmtree(home)
        return
    home = Path(tempfile.mkdtemp(prefix="metaflow-pod-", dir=reachable_temp_dir()))
    os.chown(home, IMAGE_UID, IMAGE_UID)
    venv = home / "venv-image"
    copy_venv(VENV_IMAGE, venv)
    yield home, venv
    shutil.rmtree(home)


@pytest.fixture()
def pod_home(image_home):
    """The pod's working directory, owned by the image user."""
    home = Path(tempfile.mkdtemp(prefix="pod-", dir=image_home[0]))
    if os.getuid() == 0:
        os.chown(home, IMAGE_UID, IMAGE_UID)
    return home


def test_the_image_environment_is_non_root_and_cannot_install_into_its_site_packages(image_home):
    assert (VENV_IMAGE / "bin" / "download-gcp-object").exists(), "scripts/pytest.sh builds .venv-image"
    venv = image_home[1]
    probe = "import os, sysconfig; print(os.getuid(), os.access(sysconfig.get_paths()['purelib'], os.W_OK))"
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True, timeout=30, **as_image_user()
    )
    assert result.returncode == 0, f"uid {IMAGE_UID} cannot run {venv} (its base interpreter must be one that uid can run, see scripts/pytest.sh): {result.stderr}"
    uid, writable = result.stdout.split()
    assert uid != "0"
    if os.getuid() == 0:
        # As in the image: packages installed by root, steps run as 1000. Metaflow's own pip
        # install would go to ~/.local, whose bin is not on PATH; hence the skip variable.
        assert writable == "False"
    assert image_env()["METAFLOW_SKIP_INSTALL_DEPENDENCIES"]


def test_every_step_on_our_image_downloads_its_code_package_with_the_images_packages(compiled_flows, offline_gcp, image_home, pod_home):
    venv = image_home[1]
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
                "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
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
