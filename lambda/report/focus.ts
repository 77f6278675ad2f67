/**
 * Focusing an incident run on one access key or principal: the responder's "what did this key do?".
 *
 * A finding stays when CloudTrail attributes it to the key or principal, and also when it has no
 * attribution at all (nothing rules it out: a miner on existing nodes has no launcher). Only
 * findings attributed to other principals are set aside, and the count says so: never a silent
 * drop. The full report is still stored as evidence.
 */
import { summarizeFindings } from "../core/audit.js";
import type { AuditReport, Finding } from "./model.js";

export interface Focus {
  accessKeyId?: string;
  /** An IAM or STS ARN; a session ARN matches its role, a prefix matches what starts with it. */
  principal?: string;
}

export interface FocusedReport {
  report: AuditReport;
  /** Findings attributed to the focus. */
  attributed: number;
  /** Findings kept because nothing attributes them to anyone. */
  unattributed: number;
  /** Findings attributed only to other principals, left out of this view. */
  setAside: number;
}

function matches(finding: Finding, focus: Focus): boolean {
  const { accessKeyId, principal } = focus;
  return (finding.attribution ?? []).some(
    (a) =>
      (accessKeyId !== undefined && a.accessKeyIds.includes(accessKeyId)) ||
      (principal !== undefined && [a.principalArn, a.sessionArn].some((arn) => arn?.startsWith(principal) === true)),
  );
}

export function focusReport(report: AuditReport, focus: Focus): FocusedReport {
  if (focus.accessKeyId === undefined && focus.principal === undefined) {
    return { report, attributed: 0, unattributed: report.findings.length, setAside: 0 };
  }
  const attributed = report.findings.filter((f) => matches(f, focus));
  const unattributed = report.findings.filter((f) => (f.attribution ?? []).length === 0);
  const kept = report.findings.filter((f) => attributed.includes(f) || unattributed.includes(f));
  return {
    report: {
      ...report,
      findings: kept,
      summary: summarizeFindings(kept, report.summary.suppressed, report.summary.coverageComplete),
    },
    attributed: attributed.length,
    unattributed: unattributed.length,
    setAside: report.findings.length - kept.length,
  };
}

/** The sentence a responder reads about what the focus did. */
export function describeFocus(focus: Focus, result: FocusedReport): string {
  const who = [focus.accessKeyId, focus.principal].filter(Boolean).join(" / ");
  return `Focused on ${who}: ${result.attributed} finding(s) attributed to it by CloudTrail, ${result.unattributed} with no attribution kept (nothing rules them out), ${result.setAside} attributed only to other principals set aside (they are in the stored full report).`;
}
