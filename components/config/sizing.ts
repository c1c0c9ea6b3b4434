/**
 * The validated stack config as node sizing sees it (components/model/sizing.ts): the services
 * section plus what other sections run beside the services on the CPU pool (Kueue's controller
 * with `queues`).
 */
import { kueueReplicas } from "../model/queues";
import type { ServicesSizing } from "../model/sizing";
import type { PlatformConfig } from "./types";

export function servicesSizing(cfg: Pick<PlatformConfig, "services" | "queues" | "production">): ServicesSizing {
    return { ...cfg.services, kueueReplicas: cfg.services.enabled && cfg.queues.enabled ? kueueReplicas(cfg.production) : 0 };
}
