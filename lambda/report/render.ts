/**
 * Renders an AuditReport for people (a terminal table, GitHub Markdown) or for machines (JSON).
 *
 * Every human format says three things even when there is nothing to say: what was found, what was
 * NOT audited, and what Minewatch cannot see. A quiet report over incomplete coverage never reads
 * as "no mining found".
 */
import { launchedByText } from "./attribution-text.js";
import type { AuditReport, Evidence, Finding, FindingResource } from "./model.js";
import { moreNearMisses, NEAR_MISS_EXPLANATION, nearMissLine, nearMissTitle, nearMissTotal } from "./near-miss-text.js";

export type ReportFormat = "table" | "json" | "markdown";

export interface RenderOptions {
  /** ANSI colours in the table format; off by default (logs, pipes, email). */
  color?: boolean;
}

/** Resources listed per finding before "and N more". */
const MAX_RESOURCES = 10;
/** Evidence lines per finding in human formats (the JSON has all of them). */
const MAX_EVIDENCE = 8;
/** Containment steps shown per finding in the table (Markdown shows all). */
const TABLE_STEPS = 3;
/** Near-misses the table shows; Markdown and JSON list all the report holds. */
const TABLE_NEAR_MISSES = 10;

export function renderReport(report: AuditReport, format: ReportFormat, options: RenderOptions = {}): string {
  switch (format) {
    case "json":
      return JSON.stringify(report, null, 2);
    case "markdown":
      return renderMarkdown(report);
    case "table":
      return renderTable(report, options.color ?? false);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared wording

/** Gaps that matter: everything not read except regions the account has not opted in to. */
function significantGapCount(report: AuditReport): number {
  const gaps = report.coverage.gaps.filter((g) => g.reason !== "not-opted-in").length;
  const regionsWithoutRecord = report.coverage.regionsNotAudited.filter(
    (r) => !r.reason.startsWith("not opted in") && !report.coverage.gaps.some((g) => g.region === r.region),
  ).length;
  return gaps + regionsWithoutRecord;
}

/** The one-line verdict for an account with no findings. */
export function quietVerdict(report: AuditReport): string {
  if (report.coverage.complete) {
    return "No findings. Every enabled region and API was read in full (see limits for what Minewatch cannot see).";
  }
  const n = significantGapCount(report);
  return `No findings in what was audited; ${n} ${n === 1 ? "gap" : "gaps"} (see coverage).`;
}

function countsLine(report: AuditReport): string {
  const s = report.summary;
  const parts = (Object.entries(s.bySeverity) as [string, number][])
    .filter(([, n]) => n > 0)
    .map(([sev, n]) => `${n} ${sev}`);
  return `${s.findings} ${s.findings === 1 ? "finding" : "findings"}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`;
}

function coverageLabel(report: AuditReport): string {
  const n = significantGapCount(report);
  return report.coverage.complete ? "complete" : `INCOMPLETE (${n} ${n === 1 ? "gap" : "gaps"})`;
}

function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return "unknown";
  return value >= 100 ? `$${Math.round(value).toLocaleString("en-US")}` : `$${value.toFixed(2)}`;
}

function resourceLine(r: FindingResource): string {
  const facts = [
    r.instanceType,
    r.region,
    r.state,
    r.hourlyCostUsd !== undefined ? `${usd(r.hourlyCostUsd)}/h` : undefined,
  ]
    .filter(Boolean)
    .join(", ");
  return `${r.id}${facts ? ` (${facts})` : ""}`;
}

interface RuleEvidence {
  ruleId: string;
  severity: string;
  resources: string[];
  /** The first (most severe) message of that rule: the others repeat it for other resources. */
  message: string;
}

/** One line per rule: a 60-instance wave would otherwise print 60 near-identical lines. */
function evidenceByRule(finding: Finding): RuleEvidence[] {
  const byRule = new Map<string, RuleEvidence>();
  for (const e of finding.evidence) {
    if (!isRuleEvidence(e)) continue;
    const existing = byRule.get(e.ruleId);
    if (existing) existing.resources.push(e.resource);
    else byRule.set(e.ruleId, { ruleId: e.ruleId, severity: e.severity, resources: [e.resource], message: e.message });
  }
  return [...byRule.values()];
}

/** Rule observations explain a finding; cost notes and folded coverage gaps are shown apart. */
function isRuleEvidence(e: Evidence): boolean {
  return (e.kind ?? "rule") === "rule" && e.ruleId !== "pricing";
}

/** Coverage gaps about the finding's own resources (a missing GPU agent), one line per gap. */
function visibilityNotes(finding: Finding): string[] {
  return [...new Set(finding.evidence.filter((e) => e.kind === "coverage").map((e) => e.message))];
}

/** Attribution lines shown per finding before "and N more principals". */
const MAX_PRINCIPALS = 3;

function launchedByLines(finding: Finding): string[] {
  const attribution = finding.attribution ?? [];
  const lines = attribution.slice(0, MAX_PRINCIPALS).map(launchedByText);
  if (attribution.length > MAX_PRINCIPALS) lines.push(`and ${attribution.length - MAX_PRINCIPALS} more principals`);
  return lines;
}

function capacityText(finding: Finding): string | undefined {
  if (finding.capacityHourlyCostUsd === undefined) return undefined;
  return `${usd(finding.capacityHourlyCostUsd)}/h for the affected instances (their own capacity cost, not extra spend by the miner)`;
}

function evidenceLine(e: RuleEvidence): string {
  const on = e.resources.length === 1 ? e.resources[0] : `${e.resources.length} resources, e.g. ${e.resources[0]}`;
  return `${e.ruleId} [${e.severity}] ${on}: ${e.message}`;
}

function hasCost(f: Finding): boolean {
  return f.estimatedHourlyCostUsd !== null || f.estimatedCostSoFarUsd !== null;
}

function regionsOf(finding: Finding): string {
  return finding.regions.length > 0 ? finding.regions.join(", ") : finding.region;
}

function notAuditedLines(report: AuditReport): string[] {
  const notOptedIn = report.coverage.regionsNotAudited.filter((r) => r.reason.startsWith("not opted in"));
  const others = report.coverage.regionsNotAudited.filter((r) => !r.reason.startsWith("not opted in"));
  const lines = others.map((r) => `${r.region}: ${r.reason}`);
  if (notOptedIn.length > 0) {
    lines.push(`${notOptedIn.map((r) => r.region).join(", ")}: not opted in (nothing can run there)`);
  }
  return lines;
}

function gapLine(g: AuditReport["coverage"]["gaps"][number]): string {
  return `${g.region} ${g.service}:${g.api} ${g.status}${g.reason ? ` (${g.reason})` : ""}${g.message ? `: ${g.message}` : ""}`;
}

// ---------------------------------------------------------------------------------------------
// Table (terminal)

const ANSI: Record<string, string> = {
  critical: "\u001b[1;31m",
  high: "\u001b[31m",
  medium: "\u001b[33m",
  low: "\u001b[36m",
  info: "\u001b[2m",
  bold: "\u001b[1m",
  reset: "\u001b[0m",
};

function renderTable(report: AuditReport, color: boolean): string {
  const paint = (style: string, text: string) => (color ? `${ANSI[style] ?? ""}${text}${ANSI.reset}` : text);
  const out: string[] = [];
  const s = report.summary;
  out.push(
    paint(
      "bold",
      `Minewatch ${report.tool.version} | account ${report.accountId} | window ${report.window.start} .. ${report.window.end}`,
    ),
  );
  out.push(
    `Worst: ${s.worstSeverity ? paint(s.worstSeverity, s.worstSeverity.toUpperCase()) : "none"} | ${countsLine(report)} | ${s.suppressed} suppressed | est. ${usd(s.estimatedHourlyCostUsd)}/h | coverage ${coverageLabel(report)}`,
  );
  out.push("");

  if (report.findings.length === 0) out.push(quietVerdict(report), "");

  report.findings.forEach((f, index) => {
    out.push(`${paint(f.severity, `[${f.severity.toUpperCase()}]`)} ${index + 1}. ${f.title}`);
    out.push(`  Id:         ${f.id} (confidence ${f.confidence.toFixed(2)})`);
    out.push(`  Regions:    ${regionsOf(f)}`);
    if (f.firstSeen) out.push(`  First seen: ${f.firstSeen}`);
    launchedByLines(f).forEach((line, k) => {
      out.push(`  ${k === 0 ? "Launched by: " : "             "}${line}`);
    });
    const shown = f.resources.slice(0, MAX_RESOURCES);
    shown.forEach((r, k) => {
      out.push(`  ${k === 0 ? "Resources:  " : "            "}${resourceLine(r)}`);
    });
    if (f.resources.length > MAX_RESOURCES) out.push(`              and ${f.resources.length - MAX_RESOURCES} more`);
    out.push("  Why:");
    const why = evidenceByRule(f);
    for (const e of why.slice(0, MAX_EVIDENCE)) out.push(`    - ${evidenceLine(e)}`);
    if (why.length > MAX_EVIDENCE) out.push(`    and ${why.length - MAX_EVIDENCE} more rules (see --format json)`);
    for (const note of visibilityNotes(f)) out.push(`  Not visible: ${note}`);
    const capacity = capacityText(f);
    if (capacity) out.push(`  Capacity:   ${capacity}`);
    if (hasCost(f))
      out.push(
        `  Cost:       ${f.estimatedHourlyCostUsd !== null ? `est. ${usd(f.estimatedHourlyCostUsd)}/h, ` : ""}${
          f.estimatedCostSoFarUsd !== null ? `about ${usd(f.estimatedCostSoFarUsd)} so far` : "so far unknown"
        } (estimate)`,
      );
    if (f.containment.length > 0) {
      out.push("  Contain (first steps):");
      for (const step of f.containment.slice(0, TABLE_STEPS)) {
        out.push(`    ${step.description}`);
        for (const line of step.command.split("\n")) out.push(`      $ ${line}`);
      }
      if (f.containment.length > TABLE_STEPS) {
        out.push(`    ... ${f.containment.length - TABLE_STEPS} more steps (see --format markdown)`);
      }
    }
    out.push("");
  });

  out.push(paint("bold", `Suppressed by allowlist: ${report.suppressed.length}`));
  for (const x of report.suppressed) {
    out.push(
      `  - [${x.severity}] ${x.title} (${x.id}): allowlist #${x.allowlistIndex} "${x.reason}"${x.expires ? `, expires ${x.expires}` : ""}`,
    );
  }
  if (report.expiredAllowlistEntries.length > 0) {
    out.push(`Expired allowlist entries (no longer suppress anything): ${report.expiredAllowlistEntries.length}`);
    for (const e of report.expiredAllowlistEntries)
      out.push(`  - #${e.allowlistIndex} "${e.reason}" expired ${e.expires}`);
  }
  out.push("");

  if (nearMissTotal(report) > 0) {
    out.push(`${paint("bold", nearMissTitle(report))}. ${NEAR_MISS_EXPLANATION}`);
    const shown = report.nearMisses.slice(0, TABLE_NEAR_MISSES);
    for (const m of shown) out.push(`  - ${nearMissLine(m)}`);
    const more = moreNearMisses(report, shown.length, "(see --format markdown or json)");
    if (more) out.push(`  ${more}`);
    out.push("");
  }

  out.push(paint("bold", `Coverage: ${coverageLabel(report)}`));
  out.push(
    `  Audited (${report.coverage.regionsAudited.length}): ${report.coverage.regionsAudited.join(", ") || "none"}`,
  );
  const notAudited = notAuditedLines(report);
  if (notAudited.length > 0) {
    out.push("  NOT audited:");
    for (const line of notAudited) out.push(`    - ${line}`);
  }
  const gaps = report.coverage.gaps.filter((g) => g.reason !== "not-opted-in");
  if (gaps.length > 0) {
    out.push(`  Gaps (${gaps.length}):`);
    for (const g of gaps) out.push(`    - ${gapLine(g)}`);
  }
  out.push("");

  if (report.ruleErrors.length > 0) {
    out.push(
      paint("high", `Rule errors (${report.ruleErrors.length}): these rules did not run, their checks are NOT done`),
    );
    for (const e of report.ruleErrors) out.push(`  - ${e.ruleId}: ${e.message}`);
    out.push("");
  }

  out.push("Limits:");
  for (const limit of report.limits) out.push(`  - ${limit}`);
  out.push(`Pricing: ${report.pricing.source}.`);
  return `${out.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// Markdown (GitHub)

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function fence(command: string): string {
  // A command containing ``` would end the block early; use a longer fence then.
  const ticks = command.includes("```") ? "````" : "```";
  return `${ticks}bash\n${command}\n${ticks}`;
}

function renderMarkdown(report: AuditReport): string {
  const s = report.summary;
  const out: string[] = [];
  out.push(`# Minewatch audit: account ${report.accountId}`, "");
  out.push(
    `**Window:** ${report.window.start} to ${report.window.end} · **Worst severity:** ${s.worstSeverity ?? "none"} · **${countsLine(report)}** · **Suppressed:** ${s.suppressed} · **Estimated cost:** ${usd(s.estimatedHourlyCostUsd)}/h · **Coverage:** ${coverageLabel(report)}`,
    "",
  );

  out.push("## Findings", "");
  if (report.findings.length === 0) {
    out.push(quietVerdict(report), "");
  } else {
    out.push("| # | Severity | Finding | Regions | Resources | Est. $/h | Id |", "|---|---|---|---|---|---|---|");
    report.findings.forEach((f, k) => {
      out.push(
        `| ${k + 1} | ${f.severity} | ${cell(f.title)} | ${cell(regionsOf(f))} | ${f.resources.length} | ${usd(f.estimatedHourlyCostUsd)} | \`${f.id}\` |`,
      );
    });
    out.push("");
    report.findings.forEach((f, k) => {
      out.push(`### ${k + 1}. [${f.severity.toUpperCase()}] ${f.title}`, "");
      out.push(f.summary, "");
      out.push(`- **Id:** \`${f.id}\` (confidence ${f.confidence.toFixed(2)})`);
      out.push(`- **Regions:** ${regionsOf(f)}`);
      if (f.firstSeen) out.push(`- **First seen:** ${f.firstSeen}`);
      for (const line of launchedByLines(f)) out.push(`- **Launched by:** ${line}`);
      const capacity = capacityText(f);
      if (capacity) out.push(`- **Capacity:** ${capacity}`);
      if (hasCost(f)) {
        out.push(`- **Cost (estimate):** ${usd(f.estimatedHourlyCostUsd)}/h, ${usd(f.estimatedCostSoFarUsd)} so far`);
      }
      out.push(`- **Rules:** ${f.rules.map((r) => `\`${r}\``).join(", ")}`, "");
      if (f.resources.length > 0) {
        out.push("| Resource | Type | Region | State | Launched | Est. $/h |", "|---|---|---|---|---|---|");
        for (const r of f.resources.slice(0, MAX_RESOURCES)) {
          out.push(
            `| \`${cell(r.id)}\` | ${cell(r.instanceType ?? r.type)} | ${r.region} | ${r.state ?? ""} | ${r.launchTime ?? ""} | ${r.hourlyCostUsd !== undefined ? usd(r.hourlyCostUsd) : ""} |`,
          );
        }
        if (f.resources.length > MAX_RESOURCES) out.push("", `and ${f.resources.length - MAX_RESOURCES} more`);
        out.push("");
      }
      out.push("**Why**", "");
      const why = evidenceByRule(f);
      for (const e of why.slice(0, MAX_EVIDENCE)) out.push(`- ${evidenceLine(e)}`);
      if (why.length > MAX_EVIDENCE) out.push(`- and ${why.length - MAX_EVIDENCE} more rules (see the JSON report)`);
      for (const note of visibilityNotes(f)) out.push(`- Not visible: ${note}`);
      const pricing = f.evidence.find((e) => e.kind === "pricing" || e.ruleId === "pricing");
      if (pricing) out.push(`- Cost: ${pricing.message}`);
      out.push("");
      if (f.containment.length > 0) {
        out.push("**Containment**", "");
        for (const step of f.containment) out.push(step.description, "", fence(step.command), "");
      }
    });
  }

  out.push(`## Suppressed by allowlist (${report.suppressed.length})`, "");
  if (report.suppressed.length > 0) {
    out.push("| Severity | Finding | Reason | Allowlist entry | Expires |", "|---|---|---|---|---|");
    for (const x of report.suppressed) {
      out.push(`| ${x.severity} | ${cell(x.title)} | ${cell(x.reason)} | #${x.allowlistIndex} | ${x.expires ?? ""} |`);
    }
    out.push("");
  }
  if (report.expiredAllowlistEntries.length > 0) {
    out.push("**Expired allowlist entries** (no longer suppress anything):", "");
    for (const e of report.expiredAllowlistEntries)
      out.push(`- #${e.allowlistIndex} "${e.reason}" expired ${e.expires}`);
    out.push("");
  }

  if (nearMissTotal(report) > 0) {
    out.push(`## ${nearMissTitle(report)}`, "", NEAR_MISS_EXPLANATION, "");
    for (const m of report.nearMisses) out.push(`- ${nearMissLine(m)}`);
    const more = moreNearMisses(report, report.nearMisses.length, "");
    if (more) out.push(`- ${more}`);
    out.push("");
  }

  out.push(`## Coverage: ${coverageLabel(report)}`, "");
  out.push(
    `**Audited (${report.coverage.regionsAudited.length}):** ${report.coverage.regionsAudited.join(", ") || "none"}`,
    "",
  );
  const notAudited = notAuditedLines(report);
  if (notAudited.length > 0) {
    out.push("**NOT audited:**", "");
    for (const line of notAudited) out.push(`- ${line}`);
    out.push("");
  }
  const gaps = report.coverage.gaps.filter((g) => g.reason !== "not-opted-in");
  if (gaps.length > 0) {
    out.push("| Region | API | Status | Reason | Message |", "|---|---|---|---|---|");
    for (const g of gaps) {
      out.push(`| ${g.region} | ${g.service}:${g.api} | ${g.status} | ${g.reason ?? ""} | ${cell(g.message ?? "")} |`);
    }
    out.push("");
  }

  if (report.ruleErrors.length > 0) {
    out.push(
      `## Rule errors (${report.ruleErrors.length})`,
      "",
      "These rules did not run: their checks are NOT done.",
      "",
    );
    for (const e of report.ruleErrors) out.push(`- \`${e.ruleId}\`: ${e.message}`);
    out.push("");
  }

  out.push("## Limits", "");
  for (const limit of report.limits) out.push(`- ${limit}`);
  out.push(
    "",
    `_Pricing: ${report.pricing.source}. Generated ${report.generatedAt} by Minewatch ${report.tool.version}._`,
  );
  return `${out.join("\n")}\n`;
}
