"""Metaflow's Airflow integration against the Airflow the platform deploys.

The real Metaflow compiles a sample flow with the dev stack's profile (`airflow create`), then
the real Airflow 2.10.5 with its Kubernetes provider imports the DAG file (DagBag), as the DAG
processor and the workers will from the mounted DAG folder. The pods the DAG would start must use
our namespace, task service account and task image.
"""
import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from conftest import REPO_ROOT, isolated_home, stack_outputs  # noqa: E402,F401  (fixtures)

FLOW = HERE / "flows" / "hello_airflow.py"


def versions_ts_field(name):
    """A string field of AIRFLOW_IMAGE in components/kubernetes/specs/versions.ts."""
    text = (REPO_ROOT / "components" / "kubernetes" / "specs" / "versions.ts").read_text()
    block = re.search(r"export const AIRFLOW_IMAGE = \{([^}]*)\}", text)
    assert block, "components/kubernetes/specs/versions.ts must define AIRFLOW_IMAGE"
    field = re.search(rf'{name}: "([^"]+)"', block.group(1))
    assert field, f"AIRFLOW_IMAGE.{name} missing"
    return field.group(1)


@pytest.fixture(scope="module")
def dev_profile(stack_outputs):
    return stack_outputs["dev"]["metaflowConfig"]


@pytest.fixture(scope="module")
def compiled_dag(dev_profile, tmp_path_factory):
    """The DAG file Metaflow writes for the sample flow with the dev profile."""
    work = tmp_path_factory.mktemp("airflow")
    home = work / "home"
    home.mkdir()
    dags = work / "dags"
    dags.mkdir()
    dag_file = dags / "hello_airflow.py"
    bucket = re.match(r"^gs://([^/]+)/", dev_profile["METAFLOW_DATASTORE_SYSROOT_GS"]).group(1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("METAFLOW_")}
    env.update({k: str(v) for k, v in dev_profile.items()})
    env.update({"HOME": str(home), "METAFLOW_HOME": str(home / ".metaflowconfig"), "USER": "tester", "USERNAME": "tester"})
    result = subprocess.run(
        [sys.executable, str(HERE / "compile_flow.py"), str(FLOW), str(dag_file), bucket],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"airflow create failed:\n{result.stdout}\n{result.stderr}"
    return dag_file


@pytest.fixture(scope="module")
def dagbag(compiled_dag, tmp_path_factory):
    os.environ["AIRFLOW_HOME"] = str(tmp_path_factory.mktemp("airflow-home"))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
    from airflow.models.dagbag import DagBag

    return DagBag(dag_folder=str(compiled_dag.parent), include_examples=False)


def operator_args(task):
    """A task's KubernetesPodOperator arguments; mapped (foreach) tasks keep them in partial_kwargs."""
    partial = getattr(task, "partial_kwargs", None)
    if partial is not None:
        return partial
    return {
        "namespace": task.namespace,
        "service_account_name": task.service_account_name,
        "image": task.image,
        "env_vars": task.env_vars,
    }


def test_installed_airflow_is_the_deployed_image_version():
    assert version("apache-airflow") == versions_ts_field("airflowVersion")
    assert versions_ts_field("tag").startswith(version("apache-airflow") + "-python3.11")
    assert sys.version_info[:2] == (3, 11)


def test_installed_kubernetes_provider_is_the_one_inside_the_deployed_image():
    """The DAG below is imported by the provider the image runs, not merely one that works.

    AIRFLOW_IMAGE.kubernetesProvider records the apache-airflow-providers-cncf-kubernetes that
    apache/airflow:2.10.5 installs from apache/airflow's constraints-2.10.5 (sources in
    components/kubernetes/specs/versions.ts); bumping either side alone fails here.
    """
    assert version("apache-airflow-providers-cncf-kubernetes") == versions_ts_field("kubernetesProvider")


def test_metaflow_pin_matches_the_main_layer():
    main = re.search(r"^metaflow==(\S+)$", (REPO_ROOT / "tests/python/requirements.txt").read_text(), re.M)
    assert main and version("metaflow") == main.group(1)


def test_the_compiled_dag_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert list(dagbag.dags) == ["HelloAirflowFlow"]
    dag = dagbag.dags["HelloAirflowFlow"]
    assert sorted(t.task_id for t in dag.tasks) == ["end", "join", "start", "work"]


def test_every_step_pod_runs_as_the_task_identity_in_our_namespace_and_image(dagbag, dev_profile, stack_outputs):
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

    dag = dagbag.dags["HelloAirflowFlow"]
    for task in dag.tasks:
        assert issubclass(task.operator_class if hasattr(task, "operator_class") else type(task), KubernetesPodOperator), task.task_id
        args = operator_args(task)
        assert args["namespace"] == stack_outputs["dev"]["kubernetesNamespace"] == dev_profile["METAFLOW_KUBERNETES_NAMESPACE"], task.task_id
        assert args["service_account_name"] == dev_profile["METAFLOW_KUBERNETES_SERVICE_ACCOUNT"] == "metaflow-task", task.task_id
        assert args["image"] == dev_profile["METAFLOW_KUBERNETES_CONTAINER_IMAGE"], task.task_id
        # Mapped (foreach) tasks keep env entries as dicts until expanded; others as V1EnvVar.
        env = {(e["name"] if isinstance(e, dict) else e.name): (e["value"] if isinstance(e, dict) else e.value) for e in args["env_vars"]}
        # Pods reach the datastore and the metadata service from inside the cluster.
        assert env["METAFLOW_DATASTORE_SYSROOT_GS"] == dev_profile["METAFLOW_DATASTORE_SYSROOT_GS"]
        assert env["METAFLOW_SERVICE_URL"] == dev_profile["METAFLOW_SERVICE_INTERNAL_URL"]
        assert env["METAFLOW_DEFAULT_DATASTORE"] == "gs"


def test_the_foreach_step_is_dynamically_mapped(dagbag):
    from airflow.models.mappedoperator import MappedOperator

    work = dagbag.dags["HelloAirflowFlow"].get_task("work")
    assert isinstance(work, MappedOperator)


def test_every_airflow_setting_we_configure_is_one_this_airflow_knows():
    """The chart's `config` values become airflow.cfg entries; a misspelt key is silently ignored."""
    ts_node = REPO_ROOT / "node_modules" / ".bin" / "ts-node"
    script = (
        "const v = require('./components/kubernetes/specs/airflowValues');"
        "process.stdout.write(JSON.stringify(v.airflowValues({serviceAccount: 'airflow', bucketName: 'b', replicas: 1}).config));"
    )
    result = subprocess.run([str(ts_node), "--transpile-only", "-e", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    from airflow.configuration import conf

    assert config, "no config rendered"
    for section, options in config.items():
        for option in options:
            # has_option falls back to the built-in defaults of config.yml.
            assert conf.has_option(section, option), f"[{section}] {option} is not an Airflow 2.10 setting"
    assert config["logging"]["remote_base_log_folder"] == "gs://b/airflow/logs"
