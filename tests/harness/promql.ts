/**
 * PromQL read by Prometheus's own grammar (@prometheus-io/lezer-promql, the parser Prometheus's
 * web UI uses): syntax errors by position, and the metric names a query selects, so tests can
 * check each against the list it comes from.
 */
import { parser } from "@prometheus-io/lezer-promql";

export interface ParsedPromql {
    /** Offsets where the grammar could not continue; empty for a valid query. */
    readonly errorsAt: number[];
    /** Metric names the query's vector selectors name (bare or as `__name__`). */
    readonly metrics: string[];
}

export function parsePromql(query: string): ParsedPromql {
    const tree = parser.parse(query);
    const errorsAt: number[] = [];
    const metrics = new Set<string>();
    tree.iterate({
        enter: (node) => {
            if (node.type.isError) {
                errorsAt.push(node.from);
            }
            // A VectorSelector names its metric with an Identifier child.
            if (node.name === "VectorSelector") {
                const identifier = node.node.getChild("Identifier");
                if (identifier) {
                    metrics.add(query.slice(identifier.from, identifier.to));
                }
            }
        },
    });
    return { errorsAt, metrics: [...metrics].sort() };
}
