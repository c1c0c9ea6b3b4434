"""`@secrets` on this platform, asked of the real Metaflow 2.19.39 instead of our model of it.

- The profile names Secret Manager as the default backend and the environment's prefix
  (metaflow_config.py `DEFAULT_SECRETS_BACKEND_TYPE`, `GCP_SECRET_MANAGER_PREFIX`); without them a
  step with `@secrets` fails with "No default secrets backend type configured" (plugins/secrets/utils.py).
- Metaflow forwards both to the pods it creates, and only when they are set: the Job of
  `python flow.py run --with kubernetes` (plugins/kubernetes/kubernetes.py, posted to a fake
  Kubernetes API, conftest.py `kubernetes_jobs`) and every step of the Argo WorkflowTemplate
  (plugins/argo/argo_workflows.py, conftest.py `compiled_flows`).
- In the pod, Metaflow's decorator asks Secret Manager for `<prefix><name>/versions/latest`
  (plugins/gcp/gcp_secret_manager_secrets_provider.py): the secret the README's `gcloud secrets
  create` makes, inside the IAM condition the task identity's grant carries (tests/storage.test.ts).
"""
import json
import re
import subprocess

from conftest import REPO_ROOT, SAMPLE_FLOW, SUBPROCESS_TIMEOUT_S, VENV_IMAGE

SECRETS_KEYS = ("METAFLOW_DEFAULT_SECRETS_BACKEND_TYPE", "METAFLOW_GCP_SECRET_MANAGER_PREFIX")
PROBE = REPO_ROOT / "tests" / "python" / "secrets_probe.py"


def _sources(flow_text):
    match = re.search(r"@secrets\(sources=(\[.*?\])\)", flow_text)
    assert match, "no @secrets(sources=[...]) in the text"
    return json.loads(match.group(1))


def _container_env(container):
    return {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}


def test_every_profile_names_secret_manager_and_this_environments_prefix(stack_outputs):
    for stack, outputs in stack_outputs.items():
        profile = outputs["metaflowConfig"]
        assert profile["METAFLOW_DEFAULT_SECRETS_BACKEND_TYPE"] == "gcp-secret-manager", stack
        environment = outputs["environment"]
        assert re.fullmatch(rf"projects/\d+/secrets/mf-{environment}-", profile["METAFLOW_GCP_SECRET_MANAGER_PREFIX"]), (stack, profile)


def test_the_job_of_a_secrets_step_carries_the_backend_and_prefix(kubernetes_jobs, stack_outputs):
    for stack, job in kubernetes_jobs.items():
        profile = stack_outputs[stack]["metaflowConfig"]
        assert job["metadata"]["annotations"]["metaflow/step_name"] == "start", stack
        assert job["metadata"]["namespace"] == profile["METAFLOW_KUBERNETES_NAMESPACE"], stack
        env = _container_env(job["spec"]["template"]["spec"]["containers"][0])
        for key in SECRETS_KEYS:
            assert env.get(key) == profile[key], (stack, key, env.get(key))


def test_every_argo_step_carries_the_backend_and_prefix(compiled_flows):
    for stack, compiled in compiled_flows.items():
        for name, template in compiled.step_templates.items():
            env = _container_env(template["container"])
            for key in SECRETS_KEYS:
                assert env.get(key) == compiled.profile[key], (stack, name, key)


def test_in_the_pod_metaflow_reads_the_secret_the_readme_creates(kubernetes_jobs, stack_outputs, offline_gcp, tmp_path):
    """The README's recipe, end to end: the secret `gcloud secrets create` makes for dev is the one
    Metaflow asks for in the pod of the README's step, and the step sees its value."""
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index("### Secrets in steps"):]
    created = re.search(r"gcloud secrets create (mf-(\w+)-([\w-]+)) ", section)
    assert created, "the README shows how to create a secret"
    secret_id, readme_environment, name = created.groups()
    assert _sources(section) == [name], "the README's step reads the secret it created"
    assert _sources(SAMPLE_FLOW.read_text()) == [name], "the sample flow is the README's step"
    for stack, job in kubernetes_jobs.items():
        environment = stack_outputs[stack]["environment"]
        env = {
            **_container_env(job["spec"]["template"]["spec"]["containers"][0]),
            **offline_gcp.client_env(),
            "HOME": str(tmp_path),
            "PATH": "/usr/bin:/bin",
        }
        done = subprocess.run(
            [str(VENV_IMAGE / "bin" / "python"), str(PROBE), json.dumps([name])],
            env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S,
        )
        assert done.returncode == 0, f"{stack}: @secrets failed in the pod:\n{done.stderr}"
        seen = json.loads(done.stdout.strip().splitlines()[-1])
        prefix = stack_outputs[stack]["metaflowConfig"]["METAFLOW_GCP_SECRET_MANAGER_PREFIX"]
        project_secret = secret_id.replace(f"mf-{readme_environment}-", f"mf-{environment}-")
        assert seen["requested"] == [f"{prefix}{name}/versions/latest"], (stack, seen)
        assert seen["requested"][0].startswith(prefix) and f"/secrets/{project_secret}/" in seen["requested"][0], (stack, seen)
        # Metaflow names the env var after the source, "-" made "_" (_sanitize_key_as_env_var).
        assert seen["env"] == {name.replace("-", "_"): "offline-secret-value"}, (stack, seen)
