/**
 * The task image Metaflow steps run in (built from docker/, pushed to the environment's
 * Artifact Registry by `npm run push-image`). One place for its name and versions so the
 * Dockerfile, the push script and the Metaflow profile agree.
 */
export const TASK_IMAGE = {
    repository: "metaflow-task",
    /** Equal to the pin in docker/requirements.txt, where the reason for the version is. */
    metaflowVersion: "2.19.39",
    torchVersion: "2.5.1",
    cudaVersion: "12.4",
} as const;

/** `<metaflow>-torch<torch>-cuda<cuda>`: the tag says what is inside. */
export const TASK_IMAGE_TAG = `${TASK_IMAGE.metaflowVersion}-torch${TASK_IMAGE.torchVersion}-cuda${TASK_IMAGE.cudaVersion}`;

/** The Dockerfile's targets: GPU (default image of every step) and a slim CPU variant. */
export type TaskImageVariant = "gpu" | "cpu";

/** Full reference of the task image in a registry. */
export function taskImageRef(registryUrl: string, variant: TaskImageVariant = "gpu"): string {
    const tag = variant === "gpu" ? TASK_IMAGE_TAG : `${TASK_IMAGE.metaflowVersion}-cpu`;
    return `${registryUrl}/${TASK_IMAGE.repository}:${tag}`;
}
