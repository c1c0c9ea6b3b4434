/** Rule: one orchestrator; services that need the database or the cluster get them; production keeps its metadata in Cloud SQL. */
import { reservedNamespaceReason } from "../names";
import { keyName } from "../namespace";
import { problemAt, type Problem } from "../problems";
import type { RuleInput } from "./rule";

export function servicesProblems({ config }: RuleInput): Problem[] {
    const problems: Problem[] = [...namespaceProblems(config)];
    const { services, database } = config;
    if (services.airflow && services.argoWorkflows) {
        problems.push(problemAt(["services", "airflow"], "Airflow and Argo Workflows are alternative orchestrators; enable one (set services.argoWorkflows to false to use Airflow)"));
    }
    if (services.airflow && !database.enabled) {
        problems.push(problemAt(["services", "airflow"], "Airflow keeps its metadata in its own database on the environment's Cloud SQL instance; set database.enabled to true, or services.airflow to false"));
    }
    if (services.airflow && !services.enabled) {
        problems.push(problemAt(["services", "airflow"], "Airflow runs on the cluster with the other services; set services.enabled to true, or services.airflow to false"));
    }
    const needDatabase = (["ui", "argoWorkflows", "argoEvents", "airflow"] as const).filter((key) => services[key]);
    if (services.enabled && !database.enabled && needDatabase.length > 0) {
        problems.push(
            problemAt(
                ["services", "enabled"],
                `the metadata service and UI need the database; set database.enabled to true, or without a database deploy only the task namespace ` +
                    `(set services.${needDatabase.join(", services.")} to false) or nothing (services.enabled false)`,
            ),
        );
    }
    if (config.production && !database.enabled) {
        problems.push(problemAt(["database", "enabled"], "production keeps run metadata in Cloud SQL; local metadata is for development only"));
    }
    if (services.argoEvents && !services.argoWorkflows) {
        problems.push(problemAt(["services", "argoEvents"], "Argo Events triggers Argo Workflows; enable services.argoWorkflows too"));
    }
    return problems;
}

/** The namespace is the environment's own: never one Kubernetes or GKE keeps for itself. */
function namespaceProblems(config: RuleInput["config"]): Problem[] {
    const namespace = config.services.namespace;
    const reason = reservedNamespaceReason(namespace);
    if (!reason) {
        return [];
    }
    const key = keyName(["services", "namespace"]);
    return [
        {
            path: ["services", "namespace"],
            message: `${reason}; the environment needs a namespace of its own, e.g. the default metaflow-${config.environment}`,
            fix: [{ key, remove: true }],
        },
    ];
}
