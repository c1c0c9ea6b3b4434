"""The queue label (config `queues`, issue 22), asked of the real Metaflow 2.19.39.

Kueue admits a Job by the label `kueue.x-k8s.io/queue-name` on the Job (batch/job integration) and
an Argo step's pod by the same label on the pod (pod integration). The profile sets
`METAFLOW_KUBERNETES_LABELS=kueue.x-k8s.io/queue-name=metaflow`; Metaflow parses it
(plugins/kubernetes/kubernetes_decorator.py `init`, `parse_kube_keyvalue_list`, values checked by
kube_utils.py `validate_kube_labels`) and puts the labels on:
- the Job `python flow.py run --with kubernetes` posts, and its pod template
  (plugins/kubernetes/kubernetes_job.py `create`, `create_job_spec`; conftest.py `kubernetes_jobs`);
- every step template of the Argo WorkflowTemplate, whose metadata Argo gives the step's pod
  (plugins/argo/argo_workflows.py, `.labels(resources["labels"])`; conftest.py `compiled_flows`).
A stack without queues gets no such label.
"""
import pytest

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"


def _queue(profile):
    """The queue the profile labels steps for, or None."""
    labels = dict(item.split("=", 1) for item in profile.get("METAFLOW_KUBERNETES_LABELS", "").split(",") if item)
    return labels.get(QUEUE_LABEL)


def _queued_stacks(stack_outputs):
    queued = {stack for stack, outputs in stack_outputs.items() if _queue(outputs["metaflowConfig"])}
    if not queued:
        pytest.skip("no stack has queues on (queues.enabled)")
    return queued


def test_the_job_metaflow_posts_and_its_pods_carry_the_queue_label(kubernetes_jobs, stack_outputs):
    _queued_stacks(stack_outputs)
    for stack, job in kubernetes_jobs.items():
        expected = _queue(stack_outputs[stack]["metaflowConfig"])
        assert job["metadata"].get("labels", {}).get(QUEUE_LABEL) == expected, (stack, job["metadata"])
        assert job["spec"]["template"]["metadata"].get("labels", {}).get(QUEUE_LABEL) == expected, stack


def test_every_argo_step_template_carries_the_queue_label(compiled_flows, stack_outputs):
    _queued_stacks(stack_outputs)
    for stack, compiled in compiled_flows.items():
        expected = _queue(compiled.profile)
        for name, template in compiled.step_templates.items():
            labels = template.get("metadata", {}).get("labels", {})
            assert labels.get(QUEUE_LABEL) == expected, (stack, name, labels)


def test_templates_that_run_no_step_are_not_queued(compiled_flows, stack_outputs):
    """Metaflow's exit hooks (and any other container template that is not a step) carry no queue
    label: Kueue's pod integration leaves them alone, so a full queue never blocks a flow's clean-up."""
    _queued_stacks(stack_outputs)
    for stack, compiled in compiled_flows.items():
        others = [t for t in compiled.template["spec"]["templates"] if "container" in t and t["name"] not in compiled.step_templates]
        for template in others:
            assert QUEUE_LABEL not in template.get("metadata", {}).get("labels", {}), (stack, template["name"])
