"""The largestStep output speaks Metaflow's units, and Metaflow's own default step fits the CPU pool.

Asked of the pinned Metaflow itself: its @kubernetes defaults, and the resource strings it puts
on a pod (memory and disk as "<n>M", megabytes of 10^6 bytes, not MiB).
"""
import pytest
from metaflow.plugins.kubernetes.kube_utils import qos_requests_and_limits
from metaflow.plugins.kubernetes.kubernetes_decorator import KubernetesDecorator

from conftest import STACKS


def test_metaflow_sends_memory_and_disk_in_megabytes():
    requests, _ = qos_requests_and_limits("burstable", 1, 4096, 10240)
    assert requests["memory"] == "4096M"
    assert requests["ephemeral-storage"] == "10240M"


@pytest.mark.parametrize("stack", STACKS)
def test_metaflows_default_step_fits_the_cpu_pool(stack_outputs, stack):
    defaults = KubernetesDecorator.defaults
    largest = stack_outputs[stack]["largestStep"]["cpu"]
    assert float(defaults["cpu"]) <= largest["cpu"]
    assert float(defaults["memory"]) <= largest["memoryMb"]
    assert float(defaults["disk"]) <= largest["diskMb"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_gpu_pool_offers_its_gpus_to_one_step(stack_outputs, stack):
    outputs = stack_outputs[stack]
    largest = outputs["largestStep"]
    for pool in outputs["gpuPools"]:
        assert largest[pool["name"]]["gpus"] == pool["gpusPerNode"]
        assert float(KubernetesDecorator.defaults["memory"]) <= largest[pool["name"]]["memoryMb"]
