"""What `access.members` may do, and the laptop's Kubernetes context, checked against the
installed (pinned) Metaflow and the official Kubernetes client instead of our model of them.

- Every Kubernetes API call Metaflow's client makes for `run --with kubernetes` and
  `argo-workflows create/trigger/...` is re-derived from Metaflow's own source (AST of
  plugins/kubernetes/kubernetes_client.py, kubernetes_job.py, plugins/argo/argo_client.py) and
  must be allowed by MEMBER_RBAC_RULES (components/model/memberAccess.ts); every write the Role grants
  must be one of those calls or the tunnel's port-forward (nothing broader).
- The context `npm run profile` writes is the one Metaflow's KubernetesClient loads: Metaflow calls
  `load_kube_config()` without a context, so it must be the current one, reach our server and
  authenticate with gke-gcloud-auth-plugin's token.
"""
import ast
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import metaflow
import pytest

from conftest import REPO_ROOT

METAFLOW_DIR = Path(metaflow.__file__).parent
# Files whose calls make up running and scheduling flows. kubernetes_jobsets.py (JobSets, only for
# @parallel multi-node steps) is left out on purpose: the JobSet CRD is not installed here.
CLIENT_SOURCES = {
    "plugins/kubernetes/kubernetes_client.py": None,
    "plugins/kubernetes/kubernetes_job.py": None,
    "plugins/argo/argo_client.py": "argoproj.io",
}
TYPED_RESOURCES = {"job": ("batch", "jobs"), "pod": ("", "pods")}
VERBS = {"create": "create", "read": "get", "get": "get", "list": "list", "delete": "delete", "patch": "patch", "replace": "update"}
METHOD = re.compile(r"^(create|read|get|list|delete|patch|replace)_namespaced_(\w+)$")
WRITES = {"create", "update", "patch", "delete", "deletecollection"}


def metaflow_api_calls():
    """{(apiGroup, resource, verb): ["file:line", ...]} from Metaflow's source."""
    calls = {}

    def add(key, where):
        calls.setdefault(key, []).append(where)

    for rel, custom_group in CLIENT_SOURCES.items():
        tree = ast.parse((METAFLOW_DIR / rel).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "connect_get_namespaced_pod_exec":
                # A websocket GET: authorized as `get`, and as `create` under KEP-4006.
                for verb in ("get", "create"):
                    add(("", "pods/exec", verb), f"{rel}:{node.lineno}")
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            match = METHOD.match(node.func.attr)
            if not match:
                continue
            verb, kind = VERBS[match.group(1)], match.group(2)
            if kind == "custom_object":
                plural = next((k.value for k in node.keywords if k.arg == "plural"), None)
                assert isinstance(plural, ast.Constant), f"{rel}:{node.lineno}: plural is not a literal; read it by hand"
                assert custom_group, f"{rel}:{node.lineno}: custom objects of an unknown group"
                add((custom_group, plural.value, verb), f"{rel}:{node.lineno}")
            else:
                assert kind in TYPED_RESOURCES, f"{rel}:{node.lineno}: Metaflow now calls {node.func.attr}; decide whether members need it"
                group, resource = TYPED_RESOURCES[kind]
                add((group, resource, verb), f"{rel}:{node.lineno}")
    return calls


def ts_constant(module, name):
    """A constant exported by one of our TypeScript modules, as JSON."""
    node = shutil.which("node")
    script = f"process.stdout.write(JSON.stringify(require('./{module}').{name}))"
    result = subprocess.run(
        [node, str(REPO_ROOT / "node_modules/ts-node/dist/bin.js"), "--transpile-only", "-e", script],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def granted():
    rules = ts_constant("components/model/memberAccess", "MEMBER_RBAC_RULES")
    return {(g, r, v) for rule in rules for g in rule["apiGroups"] for r in rule["resources"] for v in rule["verbs"]}


def test_the_scan_sees_metaflows_client():
    calls = metaflow_api_calls()
    resources = {(g, r) for g, r, _ in calls}
    # If these ever vanish the scan has gone blind, not Metaflow quiet.
    assert {("batch", "jobs"), ("", "pods"), ("", "pods/exec")} <= resources
    assert {("argoproj.io", p) for p in ("workflowtemplates", "cronworkflows", "workflows", "sensors")} <= resources
    assert sum(len(w) for w in calls.values()) >= 25


def test_every_call_metaflow_makes_is_allowed(granted):
    missing = {key: where for key, where in metaflow_api_calls().items() if key not in granted}
    assert not missing, f"members could not make these calls Metaflow makes: {missing}"


def test_every_write_the_role_grants_is_a_call_metaflow_or_the_tunnel_makes(granted):
    needed = set(metaflow_api_calls())
    # `npm run tunnel`: kubectl port-forward (SPDY POST = create, websocket GET = get).
    needed |= {("", "pods/portforward", "create"), ("", "pods/portforward", "get")}
    extra_writes = {g for g in granted if g[2] in WRITES and g not in needed}
    assert not extra_writes, f"the member Role grants writes Metaflow never makes: {sorted(extra_writes)}"
    # Reads beyond Metaflow's own are only on the resources it uses, pods/log and the tunnel's Service.
    readable = {(g, r) for g, r, _ in needed} | {("", "pods/log"), ("", "services")}
    assert {(g, r) for g, r, _ in granted} <= readable


def test_metaflow_always_uses_the_current_kube_context():
    """Why the profile makes its context current: there is no context argument or config key."""
    tree = ast.parse((METAFLOW_DIR / "plugins/kubernetes/kubernetes_client.py").read_text())
    loads = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "load_kube_config"]
    assert loads and all(not n.args and not n.keywords for n in loads)
    # The only context setting Metaflow has is for the pods Airflow launches, not for its client.
    config_source = (METAFLOW_DIR / "metaflow_config.py").read_text()
    assert re.findall(r"^(\w*CONTEXT\w*)\s*=", config_source, re.M) == ["AIRFLOW_KUBERNETES_KUBECONFIG_CONTEXT"]
    assert "CONTEXT" not in (METAFLOW_DIR / "plugins/kubernetes/kubernetes_client.py").read_text()


def test_profile_context_is_what_metaflows_client_loads(stack_outputs, tmp_path, monkeypatch, isolated_home):
    outputs = stack_outputs["dev"]
    context = outputs["kubeContext"]
    assert context["name"] == "metaflow-dev" and context["controlPlaneAccess"] == "dns"
    assert context["server"].startswith("https://") and context["server"].endswith(".gke.goog")

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    plugin = bin_dir / "gke-gcloud-auth-plugin"
    plugin.write_text(
        "#!/bin/sh\n"
        'echo \'{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",'
        '"status":{"token":"token-from-the-plugin"}}\'\n'
    )
    plugin.chmod(0o755)
    kubeconfig = tmp_path / "kubeconfig"
    # JSON is YAML: someone else's kubeconfig, which must keep working.
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "other", "cluster": {"server": "https://127.0.0.1:6443"}}],
        "users": [{"name": "other", "user": {"token": "other-token"}}],
        "contexts": [{"name": "other", "context": {"cluster": "other", "user": "other"}}],
        "current-context": "other",
    }))
    saved = tmp_path / "outputs.json"
    saved.write_text(json.dumps({"metaflowConfig": outputs["metaflowConfig"], "kubeContext": context}))

    env = {"PATH": str(bin_dir), "HOME": str(isolated_home), "KUBECONFIG": str(kubeconfig), "TMPDIR": str(tmp_path)}
    subprocess.run(
        [shutil.which("node"), str(REPO_ROOT / "node_modules/ts-node/dist/bin.js"), "--transpile-only", "scripts/profile.ts", "dev", "--from-file", str(saved)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )

    # Exactly how Metaflow's client finds the cluster: KUBECONFIG set -> load_kube_config().
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    from kubernetes import client
    from metaflow.plugins.kubernetes.kubernetes_client import KubernetesClient

    KubernetesClient()
    loaded = client.Configuration.get_default_copy()
    assert loaded.host == context["server"]
    assert loaded.api_key.get("authorization") == "Bearer token-from-the-plugin"
    assert loaded.verify_ssl is True
