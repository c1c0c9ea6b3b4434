"""The sample flow the Python layer compiles with Metaflow's own Argo Workflows compiler.

What a team member's first production flow looks like: a CPU step on the profile's default
image and sizes that reads a database password from Secret Manager (`@secrets`), a GPU step, a
step on an image given without a registry, a daily schedule and an event trigger. Stacks without
Argo Events get a copy without the @trigger line (conftest.py).
"""
from metaflow import FlowSpec, kubernetes, schedule, secrets, step, trigger


@trigger(event="data_ready")
@schedule(daily=True)
class SampleFlow(FlowSpec):
    # The environment's secret mf-<env>-db-password (README, "Secrets in steps"), as $db_password.
    @secrets(sources=["db-password"])
    @kubernetes
    @step
    def start(self):
        self.next(self.train)

    @kubernetes(gpu=1)
    @step
    def train(self):
        self.next(self.report)

    @kubernetes(image="python:3.11")
    @step
    def report(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SampleFlow()
