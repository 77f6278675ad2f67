/**
 * The rule catalogue rendered from rule metadata: `minewatch rules`, docs/rules.md and the README's
 * rule table all come from here, so documentation cannot drift from what the code detects.
 */
import type { Rule } from "../rules/types.js";

export type RuleCatalogFormat = "table" | "json" | "markdown";

export interface RuleMetadata {
  id: string;
  severity: Rule["severity"];
  category: Rule["category"];
  title: string;
  rationale: string;
  recommendation: string;
}

export function ruleMetadata(rules: readonly Rule[]): RuleMetadata[] {
  return rules.map(({ id, severity, category, title, rationale, recommendation }) => ({
    id,
    severity,
    category,
    title,
    rationale,
    recommendation,
  }));
}

/** A Markdown table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();
}

/**
 * A Markdown table with its columns padded, the way the repository's formatter (Biome) writes
 * them, so generated files pass `biome check` unchanged.
 */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, col) => Math.max(3, h.length, ...rows.map((row) => (row[col] ?? "").length)));
  const line = (cells: string[]) => `| ${widths.map((w, col) => (cells[col] ?? "").padEnd(w)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The short table for the README: id, severity, what it detects. */
export function rulesSummaryMarkdown(rules: readonly Rule[]): string {
  return markdownTable(
    ["Rule", "Severity", "What it detects"],
    rules.map((r) => [`\`${r.id}\``, r.severity, cell(r.title)]),
  );
}

/** The full catalogue in Markdown: the summary table, then one section per rule. */
export function rulesMarkdown(rules: readonly Rule[]): string {
  const sections = rules.map((r) =>
    [
      `## ${r.id}`,
      "",
      `**${cell(r.title)}**: severity ${r.severity}, category ${r.category}.`,
      "",
      `Why it matters: ${cell(r.rationale)}`,
      "",
      `What to do: ${cell(r.recommendation)}`,
    ].join("\n"),
  );
  return [rulesSummaryMarkdown(rules), ...sections].join("\n\n");
}

/** Plain text for a terminal: one block per rule. */
export function rulesText(rules: readonly Rule[]): string {
  const idWidth = Math.max(...rules.map((r) => r.id.length), 2);
  const blocks = rules.map((r) =>
    [
      `${r.id.padEnd(idWidth)}  ${r.severity.padEnd(8)}  ${r.title}`,
      wrap(`Why: ${r.rationale}`, 100, "    "),
      wrap(`Do:  ${r.recommendation}`, 100, "    "),
    ].join("\n"),
  );
  return `${rules.length} rules (severity is the most a rule reports on its own; correlated evidence can raise a finding).\n\n${blocks.join("\n\n")}`;
}

export function renderRules(rules: readonly Rule[], format: RuleCatalogFormat): string {
  switch (format) {
    case "json":
      return JSON.stringify({ rules: ruleMetadata(rules) }, null, 2);
    case "markdown":
      return `# Minewatch detection rules\n\n${rulesMarkdown(rules)}`;
    case "table":
      return rulesText(rules);
  }
}

/** Word-wraps one paragraph at `width` columns, every line prefixed by `indent`. */
export function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(indent + line);
  return lines.join("\n");
}
