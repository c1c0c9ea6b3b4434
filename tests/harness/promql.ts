/**
 * PromQL read by Prometheus's own grammar (@prometheus-io/lezer-promql, the parser Prometheus's
 * web UI uses): syntax errors by position, and the metric names a query selects, so tests can
 * check each against the list it comes from.
 */
import { parser } from "@prometheus-io/lezer-promql";

export interface ParsedPromql {
    /** Offsets where the grammar could not continue; empty for a valid query. */
    readonly errorsAt: number[];
    /** Metric names the query's vector selectors name. */
    readonly metrics: string[];
    /** Each vector selector: its metric and the label names it matches on (quoted names unquoted). */
    readonly selectors: Array<{ readonly metric: string; readonly labels: string[] }>;
}

export function parsePromql(query: string): ParsedPromql {
    const tree = parser.parse(query);
    const errorsAt: number[] = [];
    const metrics = new Set<string>();
    const selectors: Array<{ metric: string; labels: string[] }> = [];
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
                const labels: string[] = [];
                const matchers = node.node.getChild("LabelMatchers");
                for (let m = matchers?.firstChild; m; m = m.nextSibling) {
                    const name = m.getChild("LabelName") ?? m.getChild("QuotedLabelName");
                    if (name) {
                        const text = query.slice(name.from, name.to);
                        labels.push(name.name === "QuotedLabelName" ? JSON.parse(text) : text);
                    }
                }
                selectors.push({ metric: identifier ? query.slice(identifier.from, identifier.to) : "", labels });
            }
        },
    });
    return { errorsAt, metrics: [...metrics].sort(), selectors };
}
