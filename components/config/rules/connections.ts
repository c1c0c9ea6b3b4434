/**
 * Rule across database and services: max_connections (from the tier, or as set) carries every
 * client's pools at peak, and a value the stack sets fits the tier's memory. It comes from the
 * tier, never from replica counts: Postgres restarts when it changes. Every database client adds
 * its peak pools to the list in serviceConnectionUses.
 */
import { checkSqlTier } from "../../model/catalog";
import { connectionCapacity, requiredConnections, serviceConnectionUses } from "../../model/sizing";
import { problemAt, type Problem } from "../problems";
import type { RuleInput } from "./rule";

export function connectionsProblems({ config, given }: RuleInput): Problem[] {
    const problems: Problem[] = [];
    const database = config.database;
    const tier = checkSqlTier(database.edition, database.tier);
    if (!tier.ok) {
        return problems; // the database rule reports the tier
    }
    const explicit = given.database.maxConnections !== undefined;
    const maxConnections = database.maxConnections;
    if (explicit && maxConnections > connectionCapacity(tier.memoryMb)) {
        problems.push(problemAt(["database", "maxConnections"], `${database.tier} carries about ${connectionCapacity(tier.memoryMb)} connections; choose a larger tier or a smaller value`));
    }
    const uses = serviceConnectionUses(config.services);
    const needed = requiredConnections(uses);
    const rolloutSurge = config.services.rolloutSurge;
    const surgeConnections = needed - requiredConnections(serviceConnectionUses({ ...config.services, rolloutSurge: 0 }));
    if (database.enabled && needed > maxConnections) {
        problems.push(
            problemAt(
                ["database", explicit ? "maxConnections" : "tier"],
                `max_connections=${maxConnections} but the database's clients need ${needed} at peak ` +
                    `(${uses.map((u) => `${u.who}: ${u.connections}`).join(", ")}, reserved: ${needed - uses.reduce((n, u) => n + u.connections, 0)}); ` +
                    "choose a larger tier, raise database.maxConnections within the tier's memory, or run fewer replicas" +
                    (rolloutSurge > 0 ? `, or set services.rolloutSurge 0 (the metadata service and UI backend then restart in place: ${surgeConnections} connections fewer)` : ""),
            ),
        );
    }
    return problems;
}
