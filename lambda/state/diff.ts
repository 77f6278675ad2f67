/**
 * What changed since the last scheduled run: pure, so the email and the tests agree on "new",
 * "ongoing" and "resolved" without a table in sight.
 *
 * Finding ids are stable for the same incident across runs (see report/model.ts), so identity is
 * the id. A previously open finding counts as resolved only when this run could have seen it again:
 * when its region was not audited this time (access denied, throttled...), it stays open as
 * "not re-checked" rather than being declared over. Never a silent pass, not even in a diff.
 */
import type { AuditReport, Finding } from "../report/model.js";
import type { Severity } from "../rules/types.js";

/** One open finding as remembered between runs (one DynamoDB item). */
export interface OpenFindingState {
  findingId: string;
  /** When Minewatch first reported it (ISO). */
  firstReported: string;
  /** The last run that saw it (ISO). */
  lastSeen: string;
  severity: Severity;
  title: string;
  region: string;
}

export interface OngoingFinding {
  finding: Finding;
  /** When it was first reported. */
  since: string;
}

export interface FindingDiff {
  new: Finding[];
  ongoing: OngoingFinding[];
  /** Open last time, audited this time, not seen: over (or suppressed since). */
  resolved: OpenFindingState[];
  /** Open last time, but this run did not audit where it was: kept open, said so. */
  notRechecked: OpenFindingState[];
}

export interface DiffOptions {
  /**
   * Whether an open finding missing from this run may be declared resolved. False for runs that
   * looked at less than the scheduled audit does (an incident run on two regions, a sweep with a
   * short window): absence there proves nothing.
   */
  resolveMissing: boolean;
  /** True when this run read the place the finding was in; everything is when absent. */
  wasAudited?: (state: OpenFindingState) => boolean;
}

export function diffFindings(
  previous: readonly OpenFindingState[],
  current: readonly Finding[],
  options: DiffOptions,
): FindingDiff {
  const previousById = new Map(previous.map((item) => [item.findingId, item]));
  const currentIds = new Set(current.map((finding) => finding.id));
  const diff: FindingDiff = { new: [], ongoing: [], resolved: [], notRechecked: [] };
  for (const finding of current) {
    const known = previousById.get(finding.id);
    if (known) diff.ongoing.push({ finding, since: known.firstReported });
    else diff.new.push(finding);
  }
  if (options.resolveMissing) {
    const wasAudited = options.wasAudited ?? (() => true);
    for (const item of previous) {
      if (currentIds.has(item.findingId)) continue;
      if (wasAudited(item)) diff.resolved.push(item);
      else diff.notRechecked.push(item);
    }
  }
  return diff;
}

/**
 * Whether a report's run read the region a remembered finding was in: its region was audited, or,
 * for account-wide (`global`) findings, no global data set (Cost Explorer) failed.
 */
export function auditedBy(report: AuditReport): (state: OpenFindingState) => boolean {
  const audited = new Set(report.coverage.regionsAudited);
  const globalGap = report.coverage.gaps.some(
    (gap) => gap.region === "global" && (gap.status === "failed" || gap.status === "skipped"),
  );
  return (state) => (state.region === "global" ? !globalGap : audited.has(state.region));
}

/** A diff with nothing remembered: the first run, or a run that does not use state. */
export function everythingNew(current: readonly Finding[]): FindingDiff {
  return diffFindings([], current, { resolveMissing: false });
}
