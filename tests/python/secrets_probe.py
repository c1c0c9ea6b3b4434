"""Run by test_secrets.py with the task image's packages (.venv-image) and only the env of a Job
Metaflow posted, as in the step's pod: Metaflow's own @secrets decorator (metaflow 2.19.39
plugins/secrets/secrets_decorator.py `task_pre_step`) resolves the step's sources through the
profile's backend and prefix and sets the env vars the step reads. Secret Manager itself is
answered in this process (its client speaks gRPC to secretmanager.googleapis.com, which has no
local emulator): the one call, `access_secret_version`, records the name it was asked for.

    python secrets_probe.py '<sources as JSON>'   prints {"requested": [...], "env": {...}}
"""
import json
import os
import sys

from google.cloud.secretmanager_v1 import SecretManagerServiceClient
from google.cloud.secretmanager_v1.types import AccessSecretVersionResponse, SecretPayload

requested = []


def access_secret_version(self, request=None, **kwargs):
    requested.append(request["name"])
    return AccessSecretVersionResponse(name=request["name"], payload=SecretPayload(data=b"offline-secret-value"))


SecretManagerServiceClient.access_secret_version = access_secret_version

from metaflow.plugins.secrets.secrets_decorator import SecretsDecorator  # noqa: E402

before = set(os.environ)
decorator = SecretsDecorator(attributes={"sources": json.loads(sys.argv[1])})
decorator.task_pre_step(
    step_name="start", task_datastore=None, metadata=None, run_id="1", task_id="1", flow=None, graph=None,
    retry_count=0, max_user_code_retries=0, ubf_context=None, inputs=None,
)
print(json.dumps({"requested": requested, "env": {k: os.environ[k] for k in set(os.environ) - before}}))
