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

export type RuleCategory = "inventory" | "behaviour" | "cost" | "indicator" | "coverage";

export interface RuleContext {
  config: Config;
  /** What is normal for this account, derived once from the snapshot and config. */
  profile: AccountProfile;
  /** The audit's reference time (the snapshot's window end), never the wall clock. */
  now: Date;
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
