/**
 * ECS helpers shared by the container rules: reading an image reference (registry, repository,
 * tag), recognising public Docker Hub images and known miner images, and pairing each running task
 * with its task definition.
 */

import type { EcsTask, EcsTaskDefinition } from "../../core/sections/containers.js";
import type { AccountSnapshot } from "../../core/snapshot.js";

/**
 * Public images that are nothing but a miner: packaged XMRig and Monero miners on Docker Hub, the
 * kind pulled in cryptojacking campaigns because they run anywhere with no build step. Matched on
 * the repository path (namespace/name), whatever the tag or digest. Images renamed to look innocent
 * are caught by their command (pool URL, wallet) instead; images named after a miner by MINER_NAME.
 */
export const KNOWN_MINER_IMAGES = [
  "metal3d/xmrig",
  "xmrig/xmrig",
  "pmietlicki/monero-miner",
  "servethehome/monero_cpu_minergate",
] as const;

/** A repository name that says "miner" in so many words (monero-miner, xmr_miner, cryptominer). */
const MINER_NAME = /(?:^|[/_.-])(?:xmr|monero|crypto|coin|cpu|gpu)[-_]?miner(?:[/_.-]|$)|xmrig|xmr-stak|cpuminer/i;

export interface ImageReference {
  /** docker.io for Docker Hub, else the registry host (123456789012.dkr.ecr.eu-west-1.amazonaws.com, ghcr.io...). */
  registry: string;
  /** namespace/name; Docker Hub official images get their implicit `library/`. */
  repository: string;
  tag?: string;
  digest?: string;
}

const DOCKER_HUB_HOSTS = new Set(["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]);

/** Parses an image reference the way Docker does: a first part with a dot, a colon or `localhost` is a registry. */
export function parseImage(image: string): ImageReference {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split("/");
  const first = parts[0] ?? "";
  let registry = "docker.io";
  if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    registry = DOCKER_HUB_HOSTS.has(first.toLowerCase()) ? "docker.io" : first.toLowerCase();
    parts.shift();
  }
  let repository = parts.join("/").toLowerCase();
  if (registry === "docker.io" && !repository.includes("/")) repository = `library/${repository}`;
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function isDockerHub(image: string): boolean {
  return parseImage(image).registry === "docker.io";
}

/** How an image names a miner: a known miner image, or a repository named after one; undefined otherwise. */
export function minerImageMatch(
  image: string,
): { kind: "known-miner-image" | "miner-named-image"; repository: string } | undefined {
  const { repository } = parseImage(image);
  if ((KNOWN_MINER_IMAGES as readonly string[]).includes(repository)) {
    return { kind: "known-miner-image", repository };
  }
  return MINER_NAME.test(repository) ? { kind: "miner-named-image", repository } : undefined;
}

export interface RunningTask {
  task: EcsTask;
  /** Absent when the task definition was not read (cap or error: coverage says which). */
  definition?: EcsTaskDefinition;
}

/** Running (or about to run) tasks paired with their task definitions. */
export function runningTasks(snapshot: AccountSnapshot): RunningTask[] {
  const ecs = snapshot.ecs;
  if (!ecs) return [];
  const definitions = new Map(ecs.taskDefinitions.map((d) => [d.arn, d]));
  return ecs.tasks
    .filter(
      (task) => task.lastStatus === undefined || !["STOPPED", "DEPROVISIONING", "STOPPING"].includes(task.lastStatus),
    )
    .map((task) => {
      const definition = definitions.get(task.taskDefinitionArn);
      return definition ? { task, definition } : { task };
    });
}

/** Task-level vCPUs (1024 CPU units each), from the task or else its definition. */
export function taskVcpus(task: EcsTask, definition?: EcsTaskDefinition): number | undefined {
  const units = task.cpu ?? definition?.cpu;
  return units === undefined ? undefined : units / 1024;
}

/** The short task id at the end of a task ARN, for messages. */
export function shortTaskId(taskArn: string): string {
  return taskArn.split("/").pop() ?? taskArn;
}

/** The cluster name at the end of a cluster ARN. */
export function clusterName(clusterArn: string): string {
  return clusterArn.split("/").pop() ?? clusterArn;
}
