"""The task image (docker/requirements.txt) against what the pinned Metaflow itself says.

Metaflow's pod bootstrap pip-installs a package list for the `gs` datastore unless
METAFLOW_SKIP_INSTALL_DEPENDENCIES is set (metaflow/metaflow_environment.py,
`MetaflowEnvironment._get_install_dependencies_cmd`). The image sets the variable, so it must
carry exactly that list: the list is read here from the installed Metaflow, not restated.
"""
import re
import shlex
from importlib.metadata import version

import metaflow.metaflow_environment as metaflow_environment
from metaflow.metaflow_environment import MetaflowEnvironment

from conftest import REPO_ROOT

IMAGE_REQUIREMENTS = REPO_ROOT / "docker" / "requirements.txt"
LAYER_REQUIREMENTS = REPO_ROOT / "tests" / "python" / "requirements.txt"
RECORDED = re.compile(
    r"^# bootstrap-packages \(metaflow (?P<version>\S+), (?P<source>\S+), (?P<function>\w+)\(\"gs\"\)\): (?P<packages>.+)$", re.M
)


def pins(path):
    return dict(re.findall(r"^([\w.-]+)==(\S+)$", path.read_text(), re.M))


def metaflow_bootstrap_packages():
    """The packages in the command Metaflow puts in front of every gs step."""
    environment = MetaflowEnvironment.__new__(MetaflowEnvironment)  # the method reads no state
    command = environment._get_install_dependencies_cmd("gs")
    guard = re.fullmatch(r"if \[ -z \$METAFLOW_SKIP_INSTALL_DEPENDENCIES \]; then (.+); fi", command)
    assert guard, f"Metaflow's bootstrap changed shape: {command}"
    words = shlex.split(guard.group(1))
    assert words[:4] == ["python", "-m", "pip", "install"], words
    return [w for w in words[4:] if not w.startswith("-")]


def test_the_image_carries_exactly_metaflows_gs_bootstrap_packages_each_pinned():
    image_pins = pins(IMAGE_REQUIREMENTS)
    bootstrap = metaflow_bootstrap_packages()
    assert "google-cloud-storage" in bootstrap and "simple-gcp-object-downloader" in bootstrap
    assert set(image_pins) - {"metaflow"} == set(bootstrap)


def test_the_recorded_list_beside_the_pins_is_the_installed_metaflows():
    recorded = RECORDED.search(IMAGE_REQUIREMENTS.read_text())
    assert recorded, "docker/requirements.txt records the bootstrap list with its source"
    assert recorded["version"] == version("metaflow")
    assert metaflow_environment.__file__.endswith(recorded["source"])
    assert hasattr(MetaflowEnvironment, recorded["function"])
    assert recorded["packages"].split() == metaflow_bootstrap_packages()


def test_the_image_and_the_test_layer_pin_the_same_metaflow_and_shared_packages():
    image_pins, layer_pins = pins(IMAGE_REQUIREMENTS), pins(LAYER_REQUIREMENTS)
    assert image_pins["metaflow"] == layer_pins["metaflow"] == version("metaflow")
    for package in set(image_pins) & set(layer_pins):
        assert image_pins[package] == layer_pins[package], package


def test_the_typescript_image_tag_names_the_pinned_metaflow():
    task_image = (REPO_ROOT / "components" / "model" / "taskImage.ts").read_text()
    assert re.search(r'metaflowVersion: "([\d.]+)"', task_image).group(1) == pins(IMAGE_REQUIREMENTS)["metaflow"]
