/**
 * MW-ECS-MINER-IMAGE: a running ECS task whose task definition (or RunTask override) runs a miner:
 * a known public miner image, an image named after a miner, or a command and environment with
 * miner indicators (pool URL, wallet, XMRig flags). The Fargate campaigns of 2023-2024 ran exactly
 * this: a public XMRig image, dozens of tasks per region.
 *
 * Commands and environments are stored redacted; messages quote only matched lines.
 */
import type { EcsTask, EcsTaskDefinition } from "../core/sections/containers.js";
import { clusterName, minerImageMatch, runningTasks, shortTaskId, taskVcpus } from "./lib/ecs-images.js";
import { findMinerIndicators, type IndicatorMatch, strength } from "./lib/miner-indicators.js";
import { atLeast, type Rule, type Severity, type Signal } from "./types.js";

interface Evidence {
  severity: Severity;
  reasons: string[];
  indicators: string[];
  images: string[];
}

const MAX_QUOTES = 3;

/** The texts of one task to scan: each container's command and environment, plus RunTask overrides. */
function textsOf(task: EcsTask, definition: EcsTaskDefinition): { label: string; text: string }[] {
  const texts: { label: string; text: string }[] = [];
  for (const c of definition.containers) {
    if (c.command) texts.push({ label: `container ${c.name} command`, text: c.command });
    if (c.environment) texts.push({ label: `container ${c.name} environment`, text: c.environment });
  }
  for (const o of task.containerOverrides) {
    if (o.command) texts.push({ label: `RunTask override of ${o.name} command`, text: o.command });
    if (o.environment) texts.push({ label: `RunTask override of ${o.name} environment`, text: o.environment });
  }
  return texts;
}

function worse(a: Severity, b: Severity): Severity {
  return atLeast(a, b) ? a : b;
}

export function minerEvidence(task: EcsTask, definition: EcsTaskDefinition): Evidence | undefined {
  let severity: Severity | undefined;
  const reasons: string[] = [];
  const indicators: string[] = [];
  const images: string[] = [];
  for (const container of definition.containers) {
    const match = minerImageMatch(container.image);
    if (!match) continue;
    images.push(container.image);
    if (match.kind === "known-miner-image") {
      severity = "critical";
      reasons.push(`container ${container.name} runs ${container.image}, a public miner image`);
    } else {
      severity = worse(severity ?? "high", "high");
      reasons.push(`container ${container.name} runs ${container.image}, an image named after a miner`);
    }
  }
  for (const { label, text } of textsOf(task, definition)) {
    const matches: IndicatorMatch[] = findMinerIndicators(text);
    const level = strength(matches);
    if (level === "none") continue;
    severity = worse(severity ?? "medium", level === "strong" ? "critical" : "medium");
    indicators.push(...matches.map((m) => m.indicator));
    const quotes = [...new Set(matches.map((m) => m.line))].slice(0, MAX_QUOTES).map((line) => `"${line}"`);
    reasons.push(`${label} has ${level} miner indicators: ${quotes.join("; ")}`);
  }
  if (!severity) return undefined;
  return { severity, reasons, indicators: [...new Set(indicators)], images };
}

export const ecsMinerImage: Rule = {
  id: "MW-ECS-MINER-IMAGE",
  title: "Running ECS task with a miner image or command",
  severity: "critical",
  category: "indicator",
  rationale:
    "Leaked keys mine on ECS and Fargate without a single EC2 instance: register a task definition with a public XMRig image " +
    "(or a pool URL in its command) and run dozens of tasks per region. A miner image or pool URL in a running task is near-certain evidence.",
  recommendation:
    "Stop the tasks (aws ecs stop-task) and scale any service running the task definition to zero, then deregister the task definition. " +
    "Find who registered it (registeredBy, CloudTrail RegisterTaskDefinition and RunTask) and deactivate that access key; check every region for the same family.",
  evaluate(snapshot) {
    const signals: Signal[] = [];
    for (const { task, definition } of runningTasks(snapshot)) {
      // Not applicable without the task definition: the collector records why it was not read.
      if (!definition) continue;
      const evidence = minerEvidence(task, definition);
      if (!evidence) continue;
      const vcpus = taskVcpus(task, definition);
      signals.push({
        ruleId: ecsMinerImage.id,
        resource: { type: "ecs-task", id: task.taskArn, region: task.region },
        severity: evidence.severity,
        message:
          `ECS task ${shortTaskId(task.taskArn)} (${task.launchType ?? "unknown launch type"}${vcpus !== undefined ? `, ${vcpus} vCPU` : ""}) ` +
          `in cluster ${clusterName(task.clusterArn)}, ${task.region}, runs task definition ${definition.family}:${definition.revision}: ` +
          `${evidence.reasons.join("; ")}.`,
        details: {
          taskArn: task.taskArn,
          clusterArn: task.clusterArn,
          taskDefinitionArn: definition.arn,
          images: definition.containers.map((c) => c.image),
          minerImages: evidence.images,
          indicators: evidence.indicators,
          launchType: task.launchType ?? null,
          vcpus: vcpus ?? null,
          registeredBy: definition.registeredBy ?? null,
          registeredAt: definition.registeredAt ?? null,
          startedAt: task.startedAt ?? null,
        },
      });
    }
    return signals;
  },
};
