"""The layer itself: the pinned Metaflow is the one installed, and the stacks render."""
import re
from importlib.metadata import version

from conftest import REPO_ROOT, STACKS


def test_installed_metaflow_is_the_pinned_one():
    pinned = re.search(r"^metaflow==(\S+)$", (REPO_ROOT / "tests/python/requirements.txt").read_text(), re.M)
    assert pinned, "requirements.txt must pin metaflow exactly"
    assert version("metaflow") == pinned.group(1)


def test_every_fixture_stack_renders_with_a_metaflow_profile(stack_outputs):
    assert set(stack_outputs) == set(STACKS) and len(STACKS) >= 2
    for stack, outputs in stack_outputs.items():
        assert outputs["metaflowConfig"]["METAFLOW_DEFAULT_DATASTORE"] == "gs", stack
