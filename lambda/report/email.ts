/**
 * The findings email: a subject a person can triage from the inbox list and a plain-text body that
 * says what is new, what is still going on, what it costs, what to do now, what was resolved and
 * what was NOT audited. Pure: the same report and diff always give the same text.
 *
 * SNS caps a message at 256 KB and email subjects at one ASCII line under 100 characters, so the
 * subject is built from parts dropped in order until it fits, and the body is rendered at
 * decreasing levels of detail until its JSON-encoded size fits the budget (the full report is in S3).
 */

import { type Severity, severityRank } from "../rules/types.js";
import type { FindingDiff, OpenFindingState } from "../state/diff.js";
import { launchedByText } from "./attribution-text.js";
import type { AuditReport, Finding, FindingResource } from "./model.js";
import { moreNearMisses, NEAR_MISS_EXPLANATION, nearMissLine, nearMissTitle, nearMissTotal } from "./near-miss-text.js";

/** SNS's hard limit for a whole message. */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;
/**
 * The email body's share of it, measured JSON-encoded (as it travels inside MessageStructure json):
 * leaves room for the `default` summary, the subject and the message attributes.
 */
export const DEFAULT_MAX_BODY_BYTES = 200 * 1024;
export const SUBJECT_MAX_CHARS = 99;

export type EmailMode = "daily" | "sweep" | "incident";

export interface EmailFocus {
  regions?: string[];
  accessKeyId?: string;
  principal?: string;
}

export interface EmailContext {
  accountId: string;
  /** Where the full report is, e.g. s3://bucket/reports/.../run.report.json. */
  reportLocation: string;
  /** Region of the console links that are not about one resource (the report bucket's). */
  consoleRegion: string;
  mode?: EmailMode;
  runId?: string;
  focus?: EmailFocus;
  /** Budget for the body, counted as JSON-encoded UTF-8 bytes. */
  maxBodyBytes?: number;
}

export interface RenderedEmail {
  subject: string;
  body: string;
  /** Findings shown in full; the rest are one line each or only counted. */
  detailedFindings: number;
  /** True when the body had to drop detail to fit the size budget. */
  reduced: boolean;
}

/** Detail levels tried in order until the body fits: findings in full, then one line each. */
const DETAIL_LEVELS = [
  { detailed: 20, oneLine: 300, evidence: 8, resources: 10, gaps: 40, commandChars: 8000, nearMisses: 10 },
  { detailed: 10, oneLine: 100, evidence: 5, resources: 5, gaps: 20, commandChars: 4000, nearMisses: 5 },
  { detailed: 5, oneLine: 30, evidence: 3, resources: 3, gaps: 10, commandChars: 2000, nearMisses: 3 },
  { detailed: 2, oneLine: 10, evidence: 2, resources: 2, gaps: 5, commandChars: 1000, nearMisses: 1 },
  { detailed: 1, oneLine: 0, evidence: 1, resources: 1, gaps: 3, commandChars: 500, nearMisses: 0 },
] as const;
type DetailLevel = (typeof DETAIL_LEVELS)[number];

export function renderEmail(report: AuditReport, diff: FindingDiff, context: EmailContext): RenderedEmail {
  const subject = renderSubject(report, diff, context);
  const budget = context.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  for (const [index, level] of DETAIL_LEVELS.entries()) {
    const body = renderBody(report, diff, context, level);
    if (jsonBytes(body) <= budget) {
      return { subject, body, detailedFindings: Math.min(level.detailed, report.findings.length), reduced: index > 0 };
    }
  }
  // Only reachable with pathological input (a single finding of hundreds of KB): cut the text.
  const last = DETAIL_LEVELS[DETAIL_LEVELS.length - 1] as DetailLevel;
  const body = truncateToBudget(renderBody(report, diff, context, last), budget, context.reportLocation);
  return { subject, body, detailedFindings: Math.min(1, report.findings.length), reduced: true };
}

/** Bytes a string takes inside a JSON document (quotes and escapes included). */
export function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), "utf8");
}

// ---------------------------------------------------------------------------------------------
// Subject

export function renderSubject(report: AuditReport, diff: FindingDiff, context: EmailContext): string {
  const account = ` - acct ${context.accountId}`;
  const incomplete = !isComplete(report);
  const audited = report.coverage.regionsAudited.length;
  const totalRegions = audited + enabledRegionsNotAudited(report).length;
  const resolved = diff.resolved.length > 0 ? `, ${diff.resolved.length} resolved` : "";
  const modeTag = context.mode === "incident" ? " incident run" : "";
  // Candidates from the most to the least informative; the first that fits is used.
  let candidates: string[];
  if (report.findings.length === 0) {
    const head = incomplete
      ? `Minewatch${modeTag} INCOMPLETE: 0 findings`
      : `Minewatch${modeTag} all clear - 0 findings`;
    const regions =
      audited < totalRegions ? ` - ${audited} of ${totalRegions} regions audited` : ` - ${audited} regions audited`;
    candidates = [head + resolved + regions + account, head + regions + account, head + account];
  } else {
    const worst = report.summary.worstSeverity ?? worstOf(report.findings);
    const counts =
      context.mode === "incident" && diff.ongoing.length === 0
        ? `${report.findings.length} finding${report.findings.length === 1 ? "" : "s"}`
        : `${diff.new.length} new, ${diff.ongoing.length} ongoing`;
    const hourly = report.summary.estimatedHourlyCostUsd;
    const head = `Minewatch${modeTag} ${worst.toUpperCase()}: ${counts}`;
    const cost = hourly > 0 ? ` - est. ${usd(hourly)}/h` : "";
    const gaps = incomplete ? " - INCOMPLETE coverage" : "";
    candidates = [
      head + resolved + cost + gaps + account,
      head + cost + gaps + account,
      head + cost + (incomplete ? " - INCOMPLETE" : "") + account,
      head + cost + account,
      head + account,
    ];
  }
  const ascii = candidates.map(toAsciiLine);
  const fits = ascii.find((subject) => subject.length <= SUBJECT_MAX_CHARS);
  if (fits) return fits;
  const shortest = ascii[ascii.length - 1] ?? "Minewatch report";
  return `${shortest.slice(0, SUBJECT_MAX_CHARS - 3)}...`;
}

/** Email subjects must be one line of ASCII: strip accents, control characters and line breaks. */
export function toAsciiLine(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\x20-\x7e]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Body

interface Ranked {
  finding: Finding;
  isNew: boolean;
  since?: string;
}

function renderBody(report: AuditReport, diff: FindingDiff, context: EmailContext, level: DetailLevel): string {
  const out: string[] = [];
  const ranked = rankFindings(diff);
  const detailed = ranked.slice(0, level.detailed);
  const oneLine = ranked.slice(level.detailed, level.detailed + level.oneLine);
  const unlisted = ranked.length - detailed.length - oneLine.length;

  out.push(...header(report, diff, context));

  const detailedNew = detailed.filter((r) => r.isNew);
  const detailedOngoing = detailed.filter((r) => !r.isNew);
  if (detailedNew.length > 0) {
    out.push("", `NEW FINDINGS (${diff.new.length}), most severe first`, "");
    detailedNew.forEach((r, i) => {
      out.push(...findingDetail(r, i + 1, level), "");
    });
  }
  if (detailedOngoing.length > 0) {
    out.push("", `STILL GOING ON (${diff.ongoing.length}), most severe first`, "");
    detailedOngoing.forEach((r, i) => {
      out.push(...findingDetail(r, detailedNew.length + i + 1, level), "");
    });
  }
  if (oneLine.length > 0 || unlisted > 0) {
    out.push("", `MORE FINDINGS (${ranked.length - detailed.length}), one line each`);
    for (const r of oneLine) out.push(`  - ${findingLine(r)}`);
    if (unlisted > 0) out.push(`  ... and ${unlisted} more in the full report.`);
  }

  if (diff.resolved.length > 0) {
    out.push("", `RESOLVED SINCE THE LAST RUN (${diff.resolved.length}): audited again and no longer found`);
    const suppressed = new Set(report.suppressed.map((s) => s.id));
    out.push(
      ...listStates(
        diff.resolved,
        level.oneLine + level.detailed,
        (s) =>
          `last seen ${stamp(s.lastSeen)}${suppressed.has(s.findingId) ? ", now suppressed by the allowlist" : ""}`,
      ),
    );
  }
  if (diff.notRechecked.length > 0) {
    out.push(
      "",
      `STILL OPEN, NOT RE-CHECKED (${diff.notRechecked.length}): this run could not audit where they were, so they are not called resolved`,
    );
    out.push(...listStates(diff.notRechecked, level.oneLine + level.detailed, (s) => `last seen ${stamp(s.lastSeen)}`));
  }

  out.push(...suppressedSection(report));
  // The hourly sweep is about new critical and high findings; near-misses wait for the daily email.
  if (context.mode !== "sweep") out.push(...nearMissSection(report, level));
  out.push(...coverageSection(report, level));
  out.push("", "WHAT MINEWATCH CANNOT SEE");
  for (const limit of report.limits) out.push(...wrap(`- ${limit}`, "  "));

  out.push("", "FULL REPORT");
  out.push(`  ${context.reportLocation}`);
  const s3Link = s3ConsoleLink(context.reportLocation, context.consoleRegion);
  if (s3Link) out.push(`  ${s3Link}`);
  out.push(
    `  Pricing: ${report.pricing.source} (as of ${report.pricing.asOf}). Minewatch ${report.tool.version}; it changed nothing in the account.`,
  );
  return out.join("\n");
}

function header(report: AuditReport, diff: FindingDiff, context: EmailContext): string[] {
  const modeName =
    context.mode === "incident" ? "Incident-response run" : context.mode === "sweep" ? "Sweep" : "Daily audit";
  const out = [
    `Minewatch ${modeName} - AWS account ${context.accountId}`,
    `Window: ${stamp(report.window.start)} to ${stamp(report.window.end)}; report generated ${stamp(report.generatedAt)}.`,
  ];
  if (context.runId) out.push(`Run: ${context.runId}`);
  const focus = context.focus;
  if (focus && (focus.regions || focus.accessKeyId || focus.principal)) {
    const parts: string[] = [];
    if (focus.regions) parts.push(`regions ${focus.regions.join(", ")}`);
    if (focus.accessKeyId) parts.push(`access key ${focus.accessKeyId}`);
    if (focus.principal) parts.push(`principal ${focus.principal}`);
    out.push(`Focus: ${parts.join("; ")}.`);
    if (focus.accessKeyId || focus.principal) {
      out.push(
        ...wrap(
          "Listed: findings CloudTrail attributes to this key or principal, and findings with no attribution (nothing rules them out). Findings attributed only to other principals are in the full report.",
          "",
        ),
      );
    }
  }
  const s = report.summary;
  const bySeverity = (Object.entries(s.bySeverity) as [Severity, number][])
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => severityRank(a) - severityRank(b))
    .map(([sev, n]) => `${n} ${sev}`)
    .join(", ");
  out.push("", "SUMMARY");
  if (report.findings.length === 0) {
    out.push(
      isComplete(report)
        ? `  No mining activity found in what was audited (${report.coverage.regionsAudited.length} regions).`
        : `  No findings in what WAS audited, but coverage is INCOMPLETE: this is not an all clear (see COVERAGE).`,
    );
  } else {
    out.push(`  ${report.findings.length} finding${report.findings.length === 1 ? "" : "s"}: ${bySeverity}.`);
    out.push(`  ${diff.new.length} new, ${diff.ongoing.length} still going on, ${diff.resolved.length} resolved.`);
    if (s.estimatedHourlyCostUsd > 0) {
      out.push(
        `  Estimated cost now: ${usd(s.estimatedHourlyCostUsd)}/h (about ${usd(s.estimatedHourlyCostUsd * 24)} per day if left running).`,
      );
    }
  }
  if (report.findings.length === 0 && diff.resolved.length > 0) {
    out.push(`  ${diff.resolved.length} finding${diff.resolved.length === 1 ? "" : "s"} resolved since the last run.`);
  }
  if (s.suppressed > 0) out.push(`  ${s.suppressed} suppressed by the allowlist (see SUPPRESSED).`);
  if (!isComplete(report)) {
    out.push(
      `  Coverage INCOMPLETE: ${enabledRegionsNotAudited(report).length} enabled region(s) not audited, ${report.coverage.gaps.length} gap(s)${report.ruleErrors.length > 0 ? `, ${report.ruleErrors.length} rule error(s)` : ""} (see COVERAGE).`,
    );
  }
  return out;
}

function findingDetail(r: Ranked, n: number, level: DetailLevel): string[] {
  const f = r.finding;
  const out = [`[${n}] ${f.severity.toUpperCase()} - ${oneLineText(f.title)}`];
  out.push(`    Finding id: ${f.id} (confidence ${Math.round(f.confidence * 100)}%)`);
  out.push(...wrap(`What:  ${oneLineText(f.summary)}`, "    ", "    "));
  const regions = f.regions.length > 0 ? f.regions.join(", ") : f.region;
  out.push(`    Where: account ${f.accountId}, region ${regions}`);
  const shown = f.resources.slice(0, level.resources);
  for (const res of shown) out.push(`      ${resourceLine(res)}`);
  if (f.resources.length > shown.length) {
    out.push(`      ... and ${f.resources.length - shown.length} more resources in the full report`);
  }
  const started = f.firstSeen ? `started ${stamp(f.firstSeen)}` : "start time unknown";
  const reported = r.isNew ? "first reported now" : `first reported ${stamp(r.since ?? "")} (ongoing)`;
  out.push(`    When:  ${started}; ${reported}`);
  out.push(`    Who:   ${attribution(f)}`);
  out.push("    Why:");
  for (const ev of diverseEvidence(f.evidence, level.evidence)) {
    out.push(...wrap(`- [${ev.ruleId}] ${oneLineText(ev.message)}`, "      ", "        "));
  }
  if (f.evidence.length > level.evidence) {
    out.push(`      ... and ${f.evidence.length - level.evidence} more observations in the full report`);
  }
  out.push(`    Cost:  ${costLine(f)}`);
  if (f.containment.length > 0) {
    out.push("    Do now (read-only until you run these; review each first):");
    f.containment.forEach((step, i) => {
      // Descriptions may already be numbered ("1. Find who..."): number once, here.
      const description = oneLineText(step.description).replace(/^\d+[.)]\s*/, "");
      out.push(...wrap(`${i + 1}. ${description}`, "      ", "         "));
      // A multi-line command stays multi-line: joining its lines would change what it does.
      // A command is shown whole or not at all: a cut command pasted into a shell does half a job.
      if (step.command.length > level.commandChars) {
        out.push(
          `         (command of ${step.command.length} characters, too long for this email: copy it from the full report)`,
        );
        return;
      }
      for (const line of step.command.split(/\r?\n/).filter((l) => l.trim() !== "")) {
        out.push(`         $ ${line}`);
      }
    });
  }
  out.push("    Links:");
  const instances = f.resources.filter((res) => res.type === "ec2-instance");
  for (const res of instances.slice(0, Math.min(5, level.resources))) {
    out.push(`      EC2 ${res.id}: ${ec2InstanceLink(res.region, res.id)}`);
  }
  if (instances.length > Math.min(5, level.resources)) {
    const region = instances[0]?.region ?? f.region;
    out.push(
      `      EC2 instances in ${region}: https://${region}.console.aws.amazon.com/ec2/home?region=${region}#Instances:`,
    );
  }
  out.push(`      Cost Explorer: ${COST_EXPLORER_LINK}`);
  if (f.resources.some((res) => res.type === "cost-anomaly")) out.push(`      Cost anomalies: ${ANOMALY_LINK}`);
  return out;
}

/**
 * Up to `max` observations, one rule at a time in turn: six "unusual type" lines for six instances
 * say less than one line from each of the rules that agreed.
 */
function diverseEvidence(evidence: Finding["evidence"], max: number): Finding["evidence"] {
  const byRule = new Map<string, Finding["evidence"]>();
  for (const ev of evidence) byRule.set(ev.ruleId, [...(byRule.get(ev.ruleId) ?? []), ev]);
  const queues = [...byRule.values()];
  const picked: Finding["evidence"] = [];
  for (let round = 0; picked.length < max && queues.some((q) => q.length > round); round++) {
    for (const queue of queues) {
      const ev = queue[round];
      if (ev && picked.length < max) picked.push(ev);
    }
  }
  return picked;
}

function findingLine(r: Ranked): string {
  const f = r.finding;
  const status = r.isNew ? "NEW" : `ongoing since ${day(r.since ?? "")}`;
  const cost = f.estimatedHourlyCostUsd !== null ? ` - ${usd(f.estimatedHourlyCostUsd)}/h` : "";
  const ids = f.resources
    .slice(0, 3)
    .map((res) => res.id)
    .join(", ");
  const more = f.resources.length > 3 ? ` +${f.resources.length - 3}` : "";
  return `${f.severity.toUpperCase()} ${status}: ${oneLineText(f.title)} - ${f.region} - ${ids}${more}${cost} (${f.id})`;
}

function listStates(items: OpenFindingState[], max: number, tail: (s: OpenFindingState) => string): string[] {
  const sorted = [...items].sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  const out = sorted
    .slice(0, Math.max(max, 1))
    .map(
      (s) =>
        `  - ${s.severity.toUpperCase()}: ${oneLineText(s.title)} (${s.region}) - first reported ${stamp(s.firstReported)}, ${tail(s)} (${s.findingId})`,
    );
  if (sorted.length > out.length) out.push(`  ... and ${sorted.length - out.length} more.`);
  return out;
}

function suppressedSection(report: AuditReport): string[] {
  const out: string[] = [];
  if (report.suppressed.length > 0) {
    const byReason = new Map<string, number>();
    for (const s of report.suppressed) byReason.set(s.reason, (byReason.get(s.reason) ?? 0) + 1);
    out.push("", `SUPPRESSED BY THE ALLOWLIST (${report.suppressed.length})`);
    const reasons = [...byReason.entries()].sort((a, b) => b[1] - a[1]);
    for (const [reason, count] of reasons.slice(0, 20)) out.push(`  - ${count} x "${oneLineText(reason)}"`);
    if (reasons.length > 20) out.push(`  ... and ${reasons.length - 20} more reasons in the full report.`);
  }
  if (report.expiredAllowlistEntries.length > 0) {
    out.push("", "EXPIRED ALLOWLIST ENTRIES (no longer suppress anything; renew or remove them)");
    for (const e of report.expiredAllowlistEntries.slice(0, 20)) {
      out.push(`  - entry #${e.allowlistIndex} "${oneLineText(e.reason)}" expired ${e.expires}`);
    }
  }
  return out;
}

function nearMissSection(report: AuditReport, level: DetailLevel): string[] {
  if (nearMissTotal(report) === 0) return [];
  const out = ["", nearMissTitle(report).toUpperCase(), ...wrap(NEAR_MISS_EXPLANATION, "  ")];
  const shown = report.nearMisses.slice(0, level.nearMisses);
  for (const m of shown) out.push(...wrap(`- ${oneLineText(nearMissLine(m))}`, "  "));
  const more = moreNearMisses(report, shown.length, "in the full report");
  if (more) out.push(`  ${more}.`);
  return out;
}

function coverageSection(report: AuditReport, level: DetailLevel): string[] {
  const c = report.coverage;
  const out = ["", `COVERAGE: ${isComplete(report) ? "complete" : "INCOMPLETE - what was NOT audited, and why"}`];
  out.push(
    ...wrap(`Audited (${c.regionsAudited.length} regions): ${c.regionsAudited.join(", ") || "none"}`, "  ", "    "),
  );
  if (c.regionsNotAudited.length > 0) {
    out.push(`  NOT audited (${c.regionsNotAudited.length} regions):`);
    for (const r of c.regionsNotAudited) out.push(`    - ${r.region}: ${oneLineText(r.reason)}`);
  }
  if (c.gaps.length > 0) {
    out.push(`  Gaps (${c.gaps.length}):`);
    for (const g of c.gaps.slice(0, level.gaps)) {
      const why = [g.reason, g.message].filter(Boolean).map(String).map(oneLineText).join(": ");
      out.push(`    - ${g.region} ${g.service} ${g.api}: ${g.status}${why ? ` (${why})` : ""}`);
    }
    if (c.gaps.length > level.gaps) out.push(`    ... and ${c.gaps.length - level.gaps} more in the full report.`);
  }
  if (report.ruleErrors.length > 0) {
    out.push(`  Rules that failed (their checks did NOT run): ${report.ruleErrors.length}`);
    for (const e of report.ruleErrors.slice(0, 10)) out.push(`    - ${e.ruleId}: ${oneLineText(e.message)}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const COST_EXPLORER_LINK = "https://us-east-1.console.aws.amazon.com/costmanagement/home#/cost-explorer";
const ANOMALY_LINK = "https://us-east-1.console.aws.amazon.com/costmanagement/home#/anomaly-detection/overview";

export function ec2InstanceLink(region: string, instanceId: string): string {
  return `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#InstanceDetails:instanceId=${instanceId}`;
}

function s3ConsoleLink(location: string, region: string): string | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!match) return undefined;
  const [, bucket, key] = match;
  return `https://${region}.console.aws.amazon.com/s3/object/${bucket}?region=${region}&prefix=${encodeURIComponent(key ?? "")}`;
}

function rankFindings(diff: FindingDiff): Ranked[] {
  const all: Ranked[] = [
    ...diff.new.map((finding) => ({ finding, isNew: true })),
    ...diff.ongoing.map(({ finding, since }) => ({ finding, isNew: false, since })),
  ];
  return all.sort(
    (a, b) =>
      severityRank(a.finding.severity) - severityRank(b.finding.severity) ||
      Number(b.isNew) - Number(a.isNew) ||
      (b.finding.estimatedHourlyCostUsd ?? 0) - (a.finding.estimatedHourlyCostUsd ?? 0) ||
      a.finding.id.localeCompare(b.finding.id),
  );
}

function worstOf(findings: Finding[]): Severity {
  return findings.reduce<Severity>(
    (worst, f) => (severityRank(f.severity) < severityRank(worst) ? f.severity : worst),
    "info",
  );
}

/**
 * Regions that could have run something but were not read. Regions the account has not opted in to
 * are listed in regionsNotAudited too, but nothing can run there: they are not a gap.
 */
function enabledRegionsNotAudited(report: AuditReport): AuditReport["coverage"]["regionsNotAudited"] {
  return report.coverage.regionsNotAudited.filter((r) => !/not opted in/i.test(r.reason));
}

function isComplete(report: AuditReport): boolean {
  return report.coverage.complete && report.ruleErrors.length === 0;
}

function resourceLine(res: FindingResource): string {
  const facts = [res.instanceType, res.state, res.launchTime ? `launched ${stamp(res.launchTime)}` : undefined]
    .filter(Boolean)
    .join(", ");
  const cost = res.hourlyCostUsd !== undefined ? `, ${usd(res.hourlyCostUsd)}/h` : "";
  const name = res.tags?.Name ? ` "${oneLineText(res.tags.Name)}"` : "";
  return `${res.type} ${res.id}${name} in ${res.region}${facts ? ` (${facts}${cost})` : cost ? ` (${cost.slice(2)})` : ""}`;
}

/** Who launched it: CloudTrail attribution, else details a rule provided; otherwise said plainly. */
function attribution(f: Finding): string {
  if (f.attribution && f.attribution.length > 0) {
    const shown = f.attribution.slice(0, 2).map((a) => oneLineText(launchedByText(a)));
    const more = f.attribution.length > 2 ? `; and ${f.attribution.length - 2} more principals` : "";
    return `${shown.join("; ")}${more}`;
  }
  const found = new Map<string, string>();
  for (const ev of f.evidence) {
    for (const key of ["principal", "principalArn", "launchedBy", "accessKeyId", "sourceIp", "sourceIPAddress"]) {
      const value = ev.details?.[key];
      if (typeof value === "string" && value !== "" && !found.has(key)) found.set(key, value);
    }
  }
  if (found.size === 0) return "not attributed (no CloudTrail attribution in this report)";
  return [...found.entries()].map(([k, v]) => `${k} ${oneLineText(v)}`).join(", ");
}

function costLine(f: Finding): string {
  if (f.estimatedHourlyCostUsd === null) return "not estimated (price unknown for these resources)";
  const soFar = f.estimatedCostSoFarUsd !== null ? `, about ${usd(f.estimatedCostSoFarUsd)} so far` : "";
  return `est. ${usd(f.estimatedHourlyCostUsd)}/h${soFar}`;
}

export function usd(amount: number): string {
  if (amount < 10) return `$${amount.toFixed(2)}`;
  return `$${Math.round(amount).toLocaleString("en-US")}`;
}

/** 2026-03-10 06:00 UTC */
function stamp(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso || "unknown";
  return `${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function day(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? "unknown" : new Date(t).toISOString().slice(0, 10);
}

function oneLineText(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Wraps a line at ~100 columns for mail clients that do not reflow plain text. */
function wrap(text: string, indent: string, continuation: string = `${indent}  `, width = 100): string[] {
  const words = text.split(" ");
  const lines: string[] = [];
  let line = indent;
  for (const word of words) {
    const prefix = lines.length === 0 ? indent : continuation;
    if (line.length > prefix.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = continuation + word;
    } else {
      line = line.length > prefix.length ? `${line} ${word}` : line + word;
    }
  }
  if (line.trim() !== "") lines.push(line);
  return lines;
}

/** Keeps whole lines from the top until the budget is met, then says where the rest is. */
function truncateToBudget(body: string, budget: number, reportLocation: string): string {
  const note = `\n\n[Truncated to fit the SNS size limit. The full report is at ${reportLocation}]`;
  const lines = body.split("\n");
  let kept = lines.length;
  while (kept > 0 && jsonBytes(lines.slice(0, kept).join("\n") + note) > budget) {
    kept = Math.floor(kept * 0.9);
  }
  const text = lines.slice(0, kept).join("\n") + note;
  // A single enormous first line (never produced by renderBody) is the only way to still be over.
  return jsonBytes(text) <= budget ? text : note.trim();
}
