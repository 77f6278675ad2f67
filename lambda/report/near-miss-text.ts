/**
 * How a near-miss reads in the table, Markdown and email outputs: one line that names the rule,
 * the resource and, when other rules flagged it, its finding, then the rule's own sentence.
 */
import type { AuditReport, NearMissEntry } from "./model.js";

/** Near-misses the report knows of, listed or only counted. */
export function nearMissTotal(report: AuditReport): number {
  return report.nearMisses.length + report.nearMissesNotListed;
}

/** What the list is, for the reader who has not met the word. */
export const NEAR_MISS_EXPLANATION =
  "Rules that came close and held back. Not findings: each says what was measured and which threshold kept the rule quiet.";

/** "Near misses (3)". */
export function nearMissTitle(report: AuditReport): string {
  return `Near misses (${nearMissTotal(report)})`;
}

export function nearMissLine(nearMiss: NearMissEntry): string {
  const id = nearMiss.resource.slice(nearMiss.resource.indexOf(":") + 1);
  const where = nearMiss.region === "global" ? id : `${id} (${nearMiss.region})`;
  const finding = nearMiss.findingId ? `, part of finding ${nearMiss.findingId}` : "";
  return `${nearMiss.ruleId} on ${where}${finding}: ${nearMiss.message}`;
}

/** The line that says how many near-misses a list left out and where they are. */
export function moreNearMisses(report: AuditReport, shown: number, where: string): string | undefined {
  const listedElsewhere = report.nearMisses.length - shown;
  if (listedElsewhere <= 0 && report.nearMissesNotListed === 0) return undefined;
  const parts = [
    listedElsewhere > 0 ? `${listedElsewhere} more ${where}` : undefined,
    report.nearMissesNotListed > 0 ? `${report.nearMissesNotListed} further ones counted but not listed` : undefined,
  ].filter(Boolean);
  return `and ${parts.join("; ")}`;
}
