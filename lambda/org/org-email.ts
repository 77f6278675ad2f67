/**
 * The organization email: one plain-text digest grouped by account. Accounts with findings come
 * first (worst first), then every account that was NOT audited with its reason, then the quiet ones
 * in one compact list. Same limits as the single-account email (lambda/report/email.ts, whose
 * helpers it reuses): one ASCII subject line under 100 characters, a body whose JSON-encoded size
 * fits the SNS budget, rendered at decreasing detail until it does. Pure.
 */
import {
  DEFAULT_MAX_BODY_BYTES,
  ec2InstanceLink,
  jsonBytes,
  SUBJECT_MAX_CHARS,
  toAsciiLine,
  usd,
} from "../report/email.js";
import type { Finding } from "../report/model.js";
import { SEVERITIES } from "../rules/types.js";
import type { AccountSection, OrganizationReport } from "./aggregate.js";

export interface OrgEmailContext {
  reportLocation: string;
  consoleRegion: string;
  managementAccountId: string;
  /** Budget for the body, counted as JSON-encoded UTF-8 bytes. */
  maxBodyBytes?: number;
}

export interface RenderedOrgEmail {
  subject: string;
  body: string;
  /** True when the body had to drop detail to fit the size budget. */
  reduced: boolean;
}

/** Detail levels tried in order until the body fits. */
const LEVELS = [
  { accounts: 500, findings: 10, gaps: 5, failed: 5000, quiet: 5000, links: true },
  { accounts: 200, findings: 5, gaps: 3, failed: 2000, quiet: 2000, links: true },
  { accounts: 100, findings: 3, gaps: 1, failed: 1000, quiet: 0, links: false },
  { accounts: 30, findings: 1, gaps: 0, failed: 300, quiet: 0, links: false },
  { accounts: 10, findings: 0, gaps: 0, failed: 50, quiet: 0, links: false },
] as const;
type Level = (typeof LEVELS)[number];

/** Spend on the latest day over this multiple of the baseline average is called out. */
const SPEND_JUMP_FACTOR = 2;

export function renderOrgEmail(report: OrganizationReport, context: OrgEmailContext): RenderedOrgEmail {
  const subject = renderOrgSubject(report);
  const budget = context.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  for (const [index, level] of LEVELS.entries()) {
    const body = renderBody(report, context, level);
    if (jsonBytes(body) <= budget) return { subject, body, reduced: index > 0 };
  }
  const note = `\n\n[Shortened to fit the SNS size limit. The full report is at ${context.reportLocation}]`;
  const lines = renderBody(report, context, LEVELS[LEVELS.length - 1] as Level).split("\n");
  let kept = lines.length;
  while (kept > 0 && jsonBytes(lines.slice(0, kept).join("\n") + note) > budget) kept = Math.floor(kept * 0.9);
  return { subject, body: lines.slice(0, kept).join("\n") + note, reduced: true };
}

export function renderOrgSubject(report: OrganizationReport): string {
  const s = report.summary;
  const notAudited = s.failed > 0 ? ` - ${s.failed} NOT audited` : "";
  const incomplete = !s.coverageComplete ? " - INCOMPLETE" : "";
  const cost = s.estimatedHourlyCostUsd > 0 ? ` - est. ${usd(s.estimatedHourlyCostUsd)}/h` : "";
  let candidates: string[];
  if (s.findings === 0) {
    const head = s.coverageComplete ? "Minewatch org all clear - 0 findings" : "Minewatch org INCOMPLETE: 0 findings";
    candidates = [`${head} in ${s.audited} of ${s.accounts} accounts${notAudited}`, `${head}${notAudited}`, head];
  } else {
    const fresh = s.new > 0 ? ` (${s.new} new)` : "";
    const head = `Minewatch org ${(s.worstSeverity ?? "info").toUpperCase()}: ${s.findings} finding${s.findings === 1 ? "" : "s"}${fresh}`;
    const where = ` in ${s.accountsWithFindings} of ${s.accounts} accounts`;
    candidates = [
      head + where + notAudited + cost + incomplete,
      head + where + notAudited + incomplete,
      head + where + (s.failed > 0 || incomplete ? " - INCOMPLETE" : ""),
      head + where,
      head,
    ];
  }
  const ascii = candidates.map(toAsciiLine);
  return ascii.find((c) => c.length <= SUBJECT_MAX_CHARS) ?? `${(ascii.at(-1) ?? "Minewatch org").slice(0, 96)}...`;
}

function renderBody(report: OrganizationReport, context: OrgEmailContext, level: Level): string {
  const s = report.summary;
  const out: string[] = [];
  const withFindings = report.accounts.filter((a) => a.findings.length > 0);
  const failed = report.accounts.filter((a) => a.status !== "audited");
  const quiet = report.accounts.filter((a) => a.status === "audited" && a.findings.length === 0);

  out.push(
    `Minewatch organization audit, run ${report.runId}, ${stamp(report.generatedAt)}`,
    `Management account ${context.managementAccountId}. ${s.accounts} accounts to audit: ${s.audited} audited, ${s.failed} NOT audited${s.notAudited > 0 ? `; ${s.notAudited} more not audited on purpose` : ""}.`,
  );
  const counts = SEVERITIES.filter((sev) => s.bySeverity[sev] > 0)
    .map((sev) => `${sev} ${s.bySeverity[sev]}`)
    .join(", ");
  out.push(
    s.findings === 0
      ? "Findings: none in the accounts that were audited."
      : `Findings: ${s.findings} in ${s.accountsWithFindings} account${s.accountsWithFindings === 1 ? "" : "s"} (${counts}); est. ${usd(s.estimatedHourlyCostUsd)}/h in total.`,
    ...(report.accounts.some((a) => a.changes)
      ? [
          `Since the last run: ${s.new} new, ${s.findings - s.new} still open, ${s.resolved} resolved${
            s.notRechecked > 0 ? `, ${s.notRechecked} open but NOT re-checked (where they were was not audited)` : ""
          }.`,
        ]
      : []),
    s.coverageComplete
      ? "Coverage: complete in every account."
      : "Coverage: INCOMPLETE. What was not read is listed below; nothing here means no mining where it was not read.",
    `Full report: ${context.reportLocation}`,
  );
  const link = s3ConsoleLink(context.reportLocation, context.consoleRegion);
  if (link && level.links) out.push(`  ${link}`);

  if (withFindings.length > 0) {
    out.push("", `ACCOUNTS WITH FINDINGS (${withFindings.length}), worst first`);
    for (const account of withFindings.slice(0, level.accounts)) out.push("", ...accountBlock(account, level));
    const rest = withFindings.length - Math.min(withFindings.length, level.accounts);
    if (rest > 0) out.push("", `... and ${rest} more accounts with findings in the full report.`);
  }

  out.push(...changeSection(report, "resolved", level), ...changeSection(report, "notRechecked", level));

  if (failed.length > 0) {
    out.push("", `ACCOUNTS NOT AUDITED (${failed.length}): their findings are unknown`);
    for (const account of failed.slice(0, level.failed)) {
      const gap = account.gaps[0];
      const why = gap ? `${gap.service} ${gap.api} ${gap.status}${gap.reason ? ` (${gap.reason})` : ""}` : "no reason";
      out.push(`  - ${accountName(account)}: ${why}${gap?.message ? `: ${oneLine(gap.message, 300)}` : ""}`);
    }
    if (failed.length > level.failed) out.push(`  ... and ${failed.length - level.failed} more in the full report.`);
  }

  if (report.notAudited.length > 0) {
    out.push("", `NOT AUDITED ON PURPOSE (${report.notAudited.length})`);
    for (const a of report.notAudited.slice(0, level.failed)) {
      out.push(`  - ${a.id}${a.name ? ` "${oneLine(a.name, 60)}"` : ""}: ${a.reason}`);
    }
  }

  if (quiet.length > 0) {
    const partial = quiet.filter((a) => !a.coverageComplete);
    out.push(
      "",
      `AUDITED, NO FINDINGS (${quiet.length})${partial.length > 0 ? `, ${partial.length} of them with coverage gaps (marked *)` : ""}`,
    );
    if (level.quiet > 0) {
      const ids = quiet.slice(0, level.quiet).map((a) => `${a.accountId}${a.coverageComplete ? "" : "*"}`);
      out.push(...wrapList(ids, "  "));
      if (quiet.length > level.quiet) out.push(`  ... and ${quiet.length - level.quiet} more.`);
    } else if (partial.length > 0) {
      out.push(
        ...wrapList(
          partial.slice(0, 300).map((a) => `${a.accountId}*`),
          "  ",
        ),
      );
    }
  }

  out.push("", ...costSection(report, level));
  out.push("", "WHAT MINEWATCH CANNOT SEE");
  for (const limit of report.limits) out.push(`- ${oneLine(limit, 400)}`);
  return out.join("\n");
}

/** Findings open after the last run that this run resolved, or could not re-check, by account. */
function changeSection(report: OrganizationReport, kind: "resolved" | "notRechecked", level: Level): string[] {
  const items = report.accounts.flatMap((account) =>
    (account.changes?.[kind] ?? []).map((state) => ({ account, state })),
  );
  if (items.length === 0) return [];
  const heading =
    kind === "resolved"
      ? `RESOLVED SINCE THE LAST RUN (${items.length}): audited again and no longer found`
      : `STILL OPEN, NOT RE-CHECKED (${items.length}): this run could not audit where they were`;
  const max = Math.max(level.findings * 10, 10);
  const lines = ["", heading];
  for (const { account, state } of items.slice(0, max)) {
    lines.push(
      `  - ${accountName(account)}: [${state.severity.toUpperCase()}] ${oneLine(state.title, 160)} (${state.region}), last seen ${stamp(state.lastSeen)} (${state.findingId})`,
    );
  }
  if (items.length > max) lines.push(`  ... and ${items.length - max} more in the full report.`);
  return lines;
}

function accountBlock(account: AccountSection, level: Level): string[] {
  const lines = [
    `== ${accountName(account)}: ${(account.worstSeverity ?? "info").toUpperCase()}, ${account.findings.length} finding${account.findings.length === 1 ? "" : "s"}, est. ${usd(account.estimatedHourlyCostUsd)}/h${account.coverageComplete ? "" : ", coverage INCOMPLETE"}`,
  ];
  const spend = spendLine(account);
  if (spend) lines.push(`   ${spend}`);
  const fresh = new Set(account.changes?.newFindingIds ?? []);
  for (const finding of account.findings.slice(0, level.findings)) {
    lines.push(`   - ${fresh.has(finding.id) ? "NEW " : ""}${findingLine(finding, level)}`);
  }
  if (account.findings.length > level.findings) {
    lines.push(
      `   ... and ${account.findings.length - level.findings} more in ${account.reportLocation ?? "the account report"}`,
    );
  } else if (account.reportLocation && level.findings > 0) {
    lines.push(`   Account report: ${account.reportLocation}`);
  }
  for (const gap of account.gaps.slice(0, level.gaps)) {
    lines.push(`   gap: ${gap.region} ${gap.service} ${gap.api} ${gap.status}${gap.reason ? ` (${gap.reason})` : ""}`);
  }
  if (account.gaps.length > level.gaps)
    lines.push(`   ${account.gaps.length - level.gaps} more coverage gaps in the account report.`);
  return lines;
}

function findingLine(f: Finding, level: Level): string {
  const cost = f.estimatedHourlyCostUsd !== null ? `, est. ${usd(f.estimatedHourlyCostUsd)}/h` : "";
  const instance = f.resources.find((r) => r.type === "ec2-instance");
  const link = level.links && instance ? ` ${ec2InstanceLink(instance.region, instance.id)}` : "";
  return `[${f.severity.toUpperCase()}] ${oneLine(f.title, 160)} (${f.region}${cost})${link}`;
}

function spendLine(account: AccountSection): string | undefined {
  const c = account.costs;
  const parts: string[] = [];
  if (c) {
    parts.push(`spend on the latest day ${usd(c.latestDayUsd)} (14-day average ${usd(c.baselineDailyUsd)})`);
    if (c.computeLatestUsd > 0 || c.computeBaselineDailyUsd > 0) {
      parts.push(`EC2 compute ${usd(c.computeLatestUsd)} (average ${usd(c.computeBaselineDailyUsd)})`);
    }
    if (c.newServices.length > 0) {
      parts.push(
        `new services: ${c.newServices
          .slice(0, 3)
          .map((n) => `${n.service} ${usd(n.usd)}`)
          .join(", ")}`,
      );
    }
  }
  if (account.anomalies.length > 0) {
    const impact = account.anomalies.reduce((sum, a) => sum + a.totalImpactUsd, 0);
    parts.push(
      `${account.anomalies.length} cost anomal${account.anomalies.length === 1 ? "y" : "ies"} (impact ${usd(impact)})`,
    );
  }
  return parts.length > 0 ? `Costs: ${parts.join("; ")}` : undefined;
}

function costSection(report: OrganizationReport, level: Level): string[] {
  const c = report.costs;
  const out = [`ORGANIZATION COSTS (Cost Explorer, read once from the payer account: ${c.requests} requests)`];
  if (c.status !== "ok") {
    out.push(
      `  ${c.status === "failed" ? "NOT read" : "Read in part"}: ${c.reason ?? "error"}${c.message ? `: ${oneLine(c.message, 400)}` : ""}`,
    );
  }
  const jumps = report.accounts.filter(
    (a) => a.costs && a.costs.latestDayUsd > SPEND_JUMP_FACTOR * a.costs.baselineDailyUsd && a.costs.latestDayUsd >= 1,
  );
  if (jumps.length > 0) {
    out.push(
      `  Accounts spending over ${SPEND_JUMP_FACTOR}x their 14-day average on ${c.latestDay} (${jumps.length}):`,
    );
    for (const a of jumps.slice(0, Math.max(level.accounts, 10))) {
      out.push(`    - ${accountName(a)}: ${usd(a.costs?.latestDayUsd ?? 0)} vs ${usd(a.costs?.baselineDailyUsd ?? 0)}`);
    }
  } else if (c.status !== "failed") {
    out.push(`  No account spent over ${SPEND_JUMP_FACTOR}x its 14-day average on ${c.latestDay}.`);
  }
  return out;
}

function accountName(a: AccountSection): string {
  return a.accountName ? `${a.accountId} "${oneLine(a.accountName, 60)}"` : a.accountId;
}

function wrapList(items: string[], indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const item of items) {
    if (line.length > indent.length && line.length + item.length + 2 > width) {
      lines.push(line);
      line = indent;
    }
    line += line.length > indent.length ? `, ${item}` : item;
  }
  if (line.length > indent.length) lines.push(line);
  return lines;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

function stamp(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function s3ConsoleLink(location: string, region: string): string | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!match) return undefined;
  return `https://${region}.console.aws.amazon.com/s3/object/${match[1]}?region=${region}&prefix=${encodeURIComponent(match[2] ?? "")}`;
}
