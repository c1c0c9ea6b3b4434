"""A small flow with what Metaflow's Airflow compiler treats specially: a foreach (dynamic task
mapping), a join, resources, and a parameter (Airflow needs a default)."""
from metaflow import FlowSpec, Parameter, kubernetes, step


class HelloAirflowFlow(FlowSpec):
    greeting = Parameter("greeting", default="hello")

    @kubernetes(cpu=1, memory=2048)
    @step
    def start(self):
        self.items = [1, 2, 3]
        self.next(self.work, foreach="items")

    @kubernetes(cpu=1, memory=2048)
    @step
    def work(self):
        self.value = self.input * 2
        self.next(self.join)

    @kubernetes(cpu=1, memory=2048)
    @step
    def join(self, inputs):
        self.total = sum(i.value for i in inputs)
        self.next(self.end)

    @kubernetes(cpu=1, memory=2048)
    @step
    def end(self):
        print(self.greeting, self.total)


if __name__ == "__main__":
    HelloAirflowFlow()
