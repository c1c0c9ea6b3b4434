"""The profile `npm run profile` writes (the `metaflowConfig` output), loaded by the pinned Metaflow.

Metaflow reads `$METAFLOW_HOME/config_<METAFLOW_PROFILE>.json` once, at import of
`metaflow.metaflow_config`, and every setting is `from_conf(NAME)` of the key `METAFLOW_<NAME>`
(metaflow 2.19.39 metaflow/metaflow_config_funcs.py, `init_config` and `from_conf`). Each test
imports it in a fresh subprocess with nothing but the profile, and compares what Metaflow ends up
with to what we wrote.
"""
import json
import subprocess
import sys

import pytest

from conftest import SUBPROCESS_TIMEOUT_S, metaflow_env

PREFIX = "METAFLOW_"
# Prints, for each key, the value Metaflow's module ended up with (or a marker when no such setting).
READ_BACK = """
import json, sys
import metaflow.metaflow_config as config
keys = json.loads(sys.argv[1])
print(json.dumps({key: getattr(config, key[len("METAFLOW_"):], "<no such setting>") for key in keys}))
"""


def metaflow_values(home, stack, profile, keys, select_profile=True):
    env = metaflow_env(home, stack, profile)
    if not select_profile:
        del env["METAFLOW_PROFILE"]
    result = subprocess.run(
        [sys.executable, "-c", READ_BACK, json.dumps(sorted(keys))],
        env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S, check=True,
    )
    return json.loads(result.stdout)


REGISTRY_KEYS = ["METAFLOW_KUBERNETES_CONTAINER_REGISTRY", "METAFLOW_DEFAULT_CONTAINER_REGISTRY"]


@pytest.fixture(scope="module")
def loaded(stack_outputs, tmp_path_factory):
    """{stack: {key: value in Metaflow}} for the profile's keys and the registry keys."""
    return {
        stack: metaflow_values(tmp_path_factory.mktemp(stack), stack, o["metaflowConfig"], [*o["metaflowConfig"], *REGISTRY_KEYS])
        for stack, o in stack_outputs.items()
    }


def test_every_key_of_every_profile_takes_effect_in_metaflow(stack_outputs, loaded):
    for stack, outputs in stack_outputs.items():
        profile = outputs["metaflowConfig"]
        assert profile and all(key.startswith(PREFIX) for key in profile), stack
        assert {key: loaded[stack][key] for key in profile} == profile, stack


def test_the_check_can_fail_without_the_profile_metaflow_falls_back_to_its_defaults(stack_outputs, tmp_path):
    stack, outputs = next(iter(stack_outputs.items()))
    profile = outputs["metaflowConfig"]
    values = metaflow_values(tmp_path, stack, profile, profile, select_profile=False)
    assert values["METAFLOW_DEFAULT_DATASTORE"] == "local"
    assert values["METAFLOW_KUBERNETES_NAMESPACE"] == "default"


def test_no_image_registry_prefix_is_configured(loaded):
    """METAFLOW_KUBERNETES_CONTAINER_REGISTRY (falling back to METAFLOW_DEFAULT_CONTAINER_REGISTRY)
    is prefixed onto any image given without a registry (plugins/kubernetes/kubernetes_decorator.py,
    `init`); test_argo_compile.py shows `python:3.11` compiled as written."""
    for stack, values in loaded.items():
        assert {key: values[key] for key in REGISTRY_KEYS} == dict.fromkeys(REGISTRY_KEYS), stack
