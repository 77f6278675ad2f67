/**
 * Collectors for the snapshot's optional sections (CloudTrail, GuardDuty, ECS, managed compute,
 * relaunch machinery, ...). collectAccount runs them after the EC2 inventory, concurrently, each
 * with the same context; each records its own coverage and never throws for an AWS error.
 *
 * To add one: write lambda/collect/<name>.ts exporting a SectionCollector and list it below.
 */
import type { Config } from "../core/config.js";
import type { AccountSnapshot, Instance } from "../core/snapshot.js";
import type { ClientFactory } from "./clients.js";
import { cloudTrailCollector } from "./cloudtrail.js";
import type { CoverageRecorder } from "./coverage.js";
import { ecsCollector } from "./ecs.js";
import { guardDutyCollector } from "./guardduty.js";
import { lambdaFunctionsCollector } from "./lambda-functions.js";
import { managedComputeCollector } from "./managed-compute.js";
import { relaunchCollector } from "./relaunch.js";
import { webContentCollector } from "./web-content.js";

/** The parts of the snapshot a section collector may fill. */
export type SnapshotSections = Partial<
  Pick<AccountSnapshot, "cloudTrail" | "guardDuty" | "ecs" | "managedCompute" | "relaunch" | "webContent">
>;

export interface SectionContext {
  clients: ClientFactory;
  config: Config;
  window: { start: Date; end: Date };
  accountId: string;
  /** The regions being audited (enabled, and requested when --regions was given). */
  regions: string[];
  /** The EC2 inventory already collected: per-resource lookups only for what earned a look. */
  instances: Instance[];
  coverage: CoverageRecorder;
  progress: (message: string) => void;
}

export interface SectionCollector {
  /** Short service name used in coverage entries when the collector itself fails. */
  name: string;
  collect(context: SectionContext): Promise<SnapshotSections>;
}

export const SECTION_COLLECTORS: readonly SectionCollector[] = [
  guardDutyCollector,
  ecsCollector,
  lambdaFunctionsCollector,
  cloudTrailCollector,
  managedComputeCollector,
  relaunchCollector,
  webContentCollector,
];

/**
 * Combines what the section collectors returned. Two collectors may fill parts of one section (the
 * managed-compute collector fills SageMaker, CodeBuild and Amplify, the Lambda collector
 * lambdaFunctions): for managedCompute the lists and regionsRead are merged, never overwritten.
 */
export function mergeSections(results: readonly SnapshotSections[]): SnapshotSections {
  const merged: SnapshotSections = {};
  for (const result of results) {
    const { managedCompute, ...rest } = result;
    Object.assign(merged, rest);
    if (!managedCompute) continue;
    const previous = merged.managedCompute;
    merged.managedCompute = previous
      ? {
          regionsRead: { ...previous.regionsRead, ...managedCompute.regionsRead },
          notebookInstances: [...previous.notebookInstances, ...managedCompute.notebookInstances],
          notebookLifecycleConfigs: [...previous.notebookLifecycleConfigs, ...managedCompute.notebookLifecycleConfigs],
          codeBuildProjects: [...previous.codeBuildProjects, ...managedCompute.codeBuildProjects],
          codeBuildBuilds: [...previous.codeBuildBuilds, ...managedCompute.codeBuildBuilds],
          amplifyApps: [...previous.amplifyApps, ...managedCompute.amplifyApps],
          lambdaFunctions: [...previous.lambdaFunctions, ...managedCompute.lambdaFunctions],
        }
      : managedCompute;
  }
  return merged;
}
