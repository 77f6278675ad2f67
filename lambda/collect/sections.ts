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
import type { CoverageRecorder } from "./coverage.js";

/** The parts of the snapshot a section collector may fill. */
export type SnapshotSections = Partial<
  Pick<AccountSnapshot, "cloudTrail" | "guardDuty" | "ecs" | "managedCompute" | "relaunch">
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

export const SECTION_COLLECTORS: readonly SectionCollector[] = [];
