/**
 * The one explicit registry of detection rules. Order is the order of the README table.
 *
 * Rule ids are a public contract (users suppress against them): a test checks they are unique and
 * match the documented list. Never derive an id from a file name.
 */
import type { AccountSnapshot } from "../core/snapshot.js";
import { amplifyMiner } from "./amplify-miner.js";
import { codebuildMiner } from "./codebuild-miner.js";
import { costAnomalyCompute } from "./cost-anomaly-compute.js";
import { costNewSpend } from "./cost-new-spend.js";
import { coverageGap } from "./coverage-gap.js";
import { cpuFlatShift } from "./cpu-flat-shift.js";
import { cpuSustainedHigh } from "./cpu-sustained-high.js";
import { ec2LaunchWave } from "./ec2-launch-wave.js";
import { ec2TerminationProtection } from "./ec2-termination-protection.js";
import { ec2UnusedRegion } from "./ec2-unused-region.js";
import { ec2UnusualType } from "./ec2-unusual-type.js";
import { ec2UserdataMiner } from "./ec2-userdata-miner.js";
import { ecsMinerImage } from "./ecs-miner-image.js";
import { ecsPublicImageTasks } from "./ecs-public-image-tasks.js";
import { gpuHighUtilization } from "./gpu-high-utilization.js";
import { guarddutyDisabled } from "./guardduty-disabled.js";
import { guarddutyMining } from "./guardduty-mining.js";
import { iamPersistence } from "./iam-persistence.js";
import { lambdaMaxResources } from "./lambda-max-resources.js";
import { principalFirstLaunch } from "./principal-first-launch.js";
import { principalProbing } from "./principal-probing.js";
import { relaunchMachinery } from "./relaunch-machinery.js";
import { sagemakerLifecycleMiner } from "./sagemaker-lifecycle-miner.js";
import { serviceNewCompute } from "./service-new-compute.js";
import type { NearMiss, Rule, RuleContext, Signal } from "./types.js";
import { webMinerScript } from "./web-miner-script.js";
import { webNewScriptSource } from "./web-new-script-source.js";

export const RULES: readonly Rule[] = [
  ec2UnusedRegion,
  ec2UnusualType,
  ec2LaunchWave,
  ec2UserdataMiner,
  cpuSustainedHigh,
  cpuFlatShift,
  gpuHighUtilization,
  costAnomalyCompute,
  costNewSpend,
  coverageGap,
  guarddutyMining,
  guarddutyDisabled,
  ecsMinerImage,
  ecsPublicImageTasks,
  lambdaMaxResources,
  sagemakerLifecycleMiner,
  codebuildMiner,
  amplifyMiner,
  serviceNewCompute,
  ec2TerminationProtection,
  relaunchMachinery,
  principalFirstLaunch,
  principalProbing,
  iamPersistence,
  webMinerScript,
  webNewScriptSource,
];

export interface RuleError {
  ruleId: string;
  message: string;
}

export interface RuleOutcomes {
  signals: Signal[];
  /** What rules came close to without firing; never about a resource the same rule flagged. */
  nearMisses: NearMiss[];
  errors: RuleError[];
}

/**
 * Runs every rule. A rule that throws is reported as a rule error against its id (and so shows in
 * every output), never treated as "nothing found"; its near-misses are dropped with its signals.
 */
export function evaluateRules(
  snapshot: AccountSnapshot,
  context: Omit<RuleContext, "noteNearMiss">,
  rules: readonly Rule[] = RULES,
): RuleOutcomes {
  const signals: Signal[] = [];
  const nearMisses: NearMiss[] = [];
  const errors: RuleError[] = [];
  for (const rule of rules) {
    const noted: NearMiss[] = [];
    const noteNearMiss = (miss: Omit<NearMiss, "ruleId">) => noted.push({ ...miss, ruleId: rule.id });
    try {
      const fired = rule.evaluate(snapshot, { ...context, noteNearMiss }).map((s) => ({ ...s, ruleId: rule.id }));
      signals.push(...fired);
      const flagged = new Set(fired.map((s) => `${s.resource.type}:${s.resource.id}`));
      nearMisses.push(...noted.filter((m) => !flagged.has(`${m.resource.type}:${m.resource.id}`)));
    } catch (error) {
      errors.push({ ruleId: rule.id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { signals, nearMisses, errors };
}

export function findRule(id: string): Rule | undefined {
  return RULES.find((rule) => rule.id === id);
}
