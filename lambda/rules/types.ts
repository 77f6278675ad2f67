/**
 * The contract every detection rule follows (one rule per file, registered in registry.ts).
 *
 * A rule is a pure function over the snapshot: it never calls AWS, never reads the environment,
 * never logs. It returns signals, each about one resource; correlation turns signals into findings.
 * Its metadata doubles as documentation: the README table, the CLI and the email render from it.
 */
import type { Config } from "../core/config.js";
import type { AccountProfile } from "../core/profile.js";
import type { AccountSnapshot } from "../core/snapshot.js";

/** Most severe first. */
export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** 0 for critical ... 4 for info: lower is worse. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** True when `severity` is at least as severe as `floor`. */
export function atLeast(severity: Severity, floor: Severity): boolean {
  return severityRank(severity) <= severityRank(floor);
}

/** What a signal is about. `region` is `global` for account-wide things (Cost Explorer). */
export interface ResourceRef {
  /** ec2-instance, region, service-spend, cost-anomaly, coverage. */
  type: string;
  id: string;
  region: string;
}

export type DetailValue = string | number | boolean | null | string[] | number[];

/** One observation by one rule about one resource. */
export interface Signal {
  ruleId: string;
  resource: ResourceRef;
  /** This signal's severity on its own (a rule may grade: GPU higher than large CPU). */
  severity: Severity;
  /** One sentence for a person, with the measured numbers: "CPU flat at 41 % (+/-2) for 46 h; its 14-day baseline follows office hours (mean 12 %)." */
  message: string;
  /** Measured values and thresholds, for the JSON report and for re-checking. */
  details?: Record<string, DetailValue>;
}

/**
 * A rule that came close and held back: what it measured, and which threshold kept it quiet. Not a
 * signal (correlation never sees it): the report lists near-misses so a reader can tell "nothing
 * there" from "4 h at 95 % when the rule wants 6", and so a threshold can be tuned with evidence.
 */
export interface NearMiss {
  ruleId: string;
  resource: ResourceRef;
  /** One sentence: the measured value, the threshold it missed, and the setting that holds it. */
  message: string;
  /** How much of the threshold was reached, 0..1 (4 h of 6 h is 0.67): the report lists the closest first. */
  closeness: number;
  details?: Record<string, DetailValue>;
}

export type RuleCategory = "inventory" | "behaviour" | "cost" | "indicator" | "coverage";

export interface RuleContext {
  config: Config;
  /** What is normal for this account, derived once from the snapshot and config. */
  profile: AccountProfile;
  /** The audit's reference time (the snapshot's window end), never the wall clock. */
  now: Date;
  /**
   * A rule's second output: where it notes a near-miss, measured from the same snapshot as its
   * signals (the registry stamps the rule id). Absent when the caller does not collect them.
   */
  noteNearMiss?: (nearMiss: Omit<NearMiss, "ruleId">) => void;
}

export interface Rule {
  /** Stable public id, e.g. MW-EC2-UNUSED-REGION. Users suppress against it: never rename. */
  id: string;
  title: string;
  /** The most severe signal this rule emits on its own. */
  severity: Severity;
  category: RuleCategory;
  /** Why it matters, one or two sentences. */
  rationale: string;
  /** What a responder should do when it fires. */
  recommendation: string;
  evaluate(snapshot: AccountSnapshot, context: RuleContext): Signal[];
}
