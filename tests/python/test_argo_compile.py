"""Metaflow's own Argo Workflows compiler, run on the sample flow with each stack's profile.

`python sample_flow.py argo-workflows create --only-json` (metaflow 2.19.39
plugins/argo/argo_workflows_cli.py, `create`: with --only-json it skips the metadata-service and
cluster calls and prints the WorkflowTemplate) still uploads the code package to the datastore;
conftest.py points it at a GCS emulator on 127.0.0.1. The CronWorkflow and the Argo Events
Sensor are not printed by --only-json (a TODO in that file); the template's annotations say what
they would be.
"""
import json
import re

import pytest
from hera.workflows.models import WorkflowTemplate


GPU_STEPS = {"train"}
OWN_IMAGE_STEPS = {"report": "python:3.11"}


def _env(template):
    return {e["name"]: e.get("value") for e in template["container"].get("env", [])}


def _without_none(value):
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def test_every_step_becomes_a_template_and_the_schedule_and_trigger_are_declared(compiled_flows):
    for stack, compiled in compiled_flows.items():
        assert set(compiled.step_templates) == {"start", "train", "report", "end"}, stack
        annotations = compiled.template["metadata"]["annotations"]
        assert json.loads(annotations["metaflow/cron"])["schedule"] == "0 0 * * ?", stack
        has_events = "METAFLOW_ARGO_EVENTS_EVENT" in compiled.profile
        assert ("metaflow/triggers" in annotations) == has_events, stack
        if has_events:
            assert json.loads(annotations["metaflow/triggers"]) == [{"name": "data_ready", "type": "event"}]
            assert annotations["metaflow/sensor_namespace"] == compiled.profile["METAFLOW_KUBERNETES_NAMESPACE"]


def test_a_stack_without_argo_events_gets_metaflows_own_refusal_of_trigger(trigger_without_argo_events):
    if not trigger_without_argo_events:
        pytest.skip("every fixture stack deploys Argo Events")
    for stack, compiled in trigger_without_argo_events.items():
        assert compiled.process.returncode != 0, stack
        assert "METAFLOW_ARGO_EVENTS_EVENT" in compiled.process.stderr, compiled.process.stderr


def test_templates_run_in_our_namespace_as_our_service_account(compiled_flows):
    for stack, compiled in compiled_flows.items():
        namespace = compiled.profile["METAFLOW_KUBERNETES_NAMESPACE"]
        assert compiled.template["metadata"]["namespace"] == namespace
        for name, template in compiled.step_templates.items():
            assert template["serviceAccountName"] == compiled.profile["METAFLOW_KUBERNETES_SERVICE_ACCOUNT"], (stack, name)
            assert _env(template)["ARGO_WORKFLOW_NAMESPACE"] == namespace


def test_steps_run_our_image_and_an_image_given_without_registry_stays_as_written(compiled_flows):
    for stack, compiled in compiled_flows.items():
        for name, template in compiled.step_templates.items():
            expected = OWN_IMAGE_STEPS.get(name, compiled.profile["METAFLOW_KUBERNETES_CONTAINER_IMAGE"])
            # `python:3.11` would be `<registry>/python:3.11` with METAFLOW_KUBERNETES_CONTAINER_REGISTRY set.
            assert template["container"]["image"] == expected, (stack, name)


def test_gpus_are_requested_only_where_asked_and_no_step_is_pinned_to_a_pool(compiled_flows):
    for stack, compiled in compiled_flows.items():
        for name, template in compiled.step_templates.items():
            resources = template["container"]["resources"]
            gpus = {**resources.get("requests", {}), **(resources.get("limits") or {})}.get("nvidia.com/gpu")
            assert gpus == ("1" if name in GPU_STEPS else None), (stack, name)
            # GKE adds the nvidia.com/gpu toleration to pods that request GPUs; CPU steps carry
            # neither selector nor toleration, so they never land on (or hold) a GPU node.
            assert not template.get("nodeSelector") and not template.get("tolerations"), (stack, name)


# Kubernetes quantity suffixes (k8s.io/apimachinery resource.Quantity) as bytes or cores.
QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")
SUFFIX = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


def quantity(text):
    match = QUANTITY.match(str(text))
    assert match, f"not a Kubernetes quantity Metaflow would send: {text!r}"
    return float(match.group(1)) * SUFFIX[match.group(2)]


def step_size(template):
    """The template's requests in Metaflow's units (vCPU, MB of 10^6 bytes, GPUs), like largestStep."""
    resources = template["container"]["resources"]
    requests, limits = resources.get("requests", {}), resources.get("limits") or {}
    return {
        "cpu": quantity(requests["cpu"]),
        "memoryMb": quantity(requests["memory"]) / 1e6,
        "diskMb": quantity(requests["ephemeral-storage"]) / 1e6,
        "gpus": quantity(limits.get("nvidia.com/gpu", requests.get("nvidia.com/gpu", 0))),
    }


def fits(size, room):
    return all(size[k] <= room[k] for k in ("cpu", "memoryMb", "diskMb", "gpus"))


def test_every_step_fits_a_pool_it_can_land_on(compiled_flows, stack_outputs):
    """CPU steps on the CPU pool; GPU steps (tolerating every GPU pool's taint) on some GPU pool.
    The room per pool is the stack's `largestStep` output (components/model/sizing.ts)."""
    for stack, compiled in compiled_flows.items():
        rooms = stack_outputs[stack]["largestStep"]
        for name, template in compiled.step_templates.items():
            size = step_size(template)
            if size["gpus"]:
                gpu_rooms = [room for pool, room in rooms.items() if pool != "cpu"]
                assert any(fits(size, room) for room in gpu_rooms), (stack, name, size, gpu_rooms)
            else:
                assert fits(size, rooms["cpu"]), (stack, name, size, rooms["cpu"])


def test_the_fit_check_can_fail(compiled_flows, stack_outputs):
    stack, compiled = next(iter(compiled_flows.items()))
    cpu_room = stack_outputs[stack]["largestStep"]["cpu"]
    assert step_size(compiled.step_templates["start"]) == {"cpu": 1, "memoryMb": 4096, "diskMb": 10240, "gpus": 0}
    assert not fits({"cpu": 4, "memoryMb": 16000, "diskMb": 10240, "gpus": 0}, cpu_room), "the README's old example"


def test_no_laptop_only_values_reach_the_cluster(compiled_flows):
    for stack, compiled in compiled_flows.items():
        text = json.dumps(compiled.template)
        for laptop_only in ("localhost", "127.0.0.1", str(compiled.workdir), "/root", "/home/"):
            assert laptop_only not in text, (stack, laptop_only)
        for name, template in compiled.step_templates.items():
            env = _env(template)
            assert env["METAFLOW_SERVICE_URL"] == compiled.profile["METAFLOW_SERVICE_INTERNAL_URL"], (stack, name)
            if "METAFLOW_ARGO_EVENTS_INTERNAL_WEBHOOK_URL" in compiled.profile:
                assert env["METAFLOW_ARGO_EVENTS_WEBHOOK_URL"] == compiled.profile["METAFLOW_ARGO_EVENTS_INTERNAL_WEBHOOK_URL"]
            assert env["METAFLOW_DATASTORE_SYSROOT_GS"] == compiled.profile["METAFLOW_DATASTORE_SYSROOT_GS"]
            assert not any(key.startswith(("STORAGE_EMULATOR", "GCE_METADATA")) for key in env), (stack, name)


def test_templates_are_valid_argo_workflow_templates(compiled_flows):
    """hera 6.0.0's models are generated from Argo Workflows' OpenAPI spec (argo-workflows-3.7.3.json,
    the header of hera/workflows/models/io/argoproj/workflow/v1alpha1.py). Pydantic ignores unknown
    fields, so the template must also survive the round trip unchanged: a misspelt field is lost."""
    for stack, compiled in compiled_flows.items():
        model = WorkflowTemplate.model_validate(compiled.template)
        assert model.kind == "WorkflowTemplate" and model.api_version == "argoproj.io/v1alpha1"
        assert model.model_dump(by_alias=True, exclude_none=True, mode="json") == _without_none(compiled.template), stack


def test_the_schema_check_can_fail(compiled_flows):
    compiled = next(iter(compiled_flows.values()))
    broken = json.loads(json.dumps(compiled.template))
    broken["spec"]["templates"][1]["container"]["resources"]["requests"]["cpu"] = {"cores": 1}
    with pytest.raises(ValueError):
        WorkflowTemplate.model_validate(broken)
    misspelt = json.loads(json.dumps(compiled.template))
    misspelt["spec"]["templates"][1]["serviceAcountName"] = "x"
    model = WorkflowTemplate.model_validate(misspelt)
    assert model.model_dump(by_alias=True, exclude_none=True, mode="json") != _without_none(misspelt)
