"""Runs `python <flow> airflow create <dag>` in this process against an in-memory Cloud Storage
emulator (gcp-storage-emulator), so Metaflow can save the code package and deployment token
without a cloud. Usage: compile_flow.py <flow.py> <dag.py> <bucket>. Metaflow's settings come
from the environment (the test passes the stack's profile)."""
import os
import runpy
import socket
import sys

import google.auth
from google.auth.credentials import AnonymousCredentials
from gcp_storage_emulator.server import create_server


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    flow, dag, bucket = sys.argv[1:4]
    port = free_port()
    server = create_server("127.0.0.1", port, in_memory=True, default_bucket=bucket)
    server.start()
    os.environ["STORAGE_EMULATOR_HOST"] = f"http://127.0.0.1:{port}"
    # The emulator accepts any caller; Metaflow's GS client asks for default credentials first.
    google.auth.default = lambda *args, **kwargs: (AnonymousCredentials(), "offline")
    sys.argv = [flow, "--metadata=local", "airflow", "create", dag]
    try:
        runpy.run_path(flow, run_name="__main__")
    except SystemExit as exit_:
        code = exit_.code
    else:
        code = 0
    finally:
        server.stop()
    sys.exit(code)


if __name__ == "__main__":
    main()
