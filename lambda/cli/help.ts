/**
 * Help texts, rendered from the same option table the parser uses (options.ts), so help and
 * behaviour cannot drift apart.
 */
import { wrap } from "../report/rules-table.js";
import { type Command, OPTION_SPECS, type OptionSpec } from "./options.js";

const SUMMARIES: Record<Command, { usage: string; oneLine: string; summary: string }> = {
  audit: {
    usage: "minewatch audit [options]",
    oneLine: "Audit an AWS account (live, read-only) or a saved snapshot (--snapshot).",
    summary:
      "Audit an AWS account for unauthorized crypto mining. Live runs use the default AWS credential chain (AWS_PROFILE, environment variables, SSO, instance roles) with read-only calls in every enabled region; --snapshot audits a saved snapshot offline instead.",
  },
  demo: {
    usage: "minewatch demo [options]",
    oneLine: "Audit the bundled demo account: no AWS access needed.",
    summary:
      "Audit the bundled demo account (scenarios/demo-account): a saved snapshot with planted mining activity. No AWS call is made and no credentials are needed.",
  },
  rules: {
    usage: "minewatch rules [options]",
    oneLine: "List the detection rules and what each detects.",
    summary: "List the detection rules: id, severity, what each detects, why it matters and what to do.",
  },
};

const EXIT_CODES = [
  "0  the audit ran (with or without findings, unless --fail-on says otherwise)",
  "1  a finding at or above the --fail-on severity exists",
  "2  bad usage or bad input: unknown option, malformed snapshot or config file",
  "3  AWS or runtime failure: no credentials, STS or another AWS call failed",
];

function optionLabel(spec: OptionSpec): string {
  const long = `--${spec.name}${spec.value ? ` ${spec.value}` : ""}`;
  return spec.short ? `-${spec.short}, ${long}` : `    ${long}`;
}

export function commandHelp(command: Command): string {
  const { usage, summary } = SUMMARIES[command];
  const lines = [`Usage: ${usage}`, "", wrap(summary, 100, ""), "", "Options:"];
  for (const spec of OPTION_SPECS[command]) {
    lines.push(`  ${optionLabel(spec)}`);
    lines.push(wrap(spec.description, 100, "        "));
    lines.push(`        Example: ${spec.example}`);
  }
  lines.push("", "Exit codes:", ...EXIT_CODES.map((line) => `  ${line}`));
  return `${lines.join("\n")}\n`;
}

export function generalHelp(version: string): string {
  const lines = [
    `minewatch ${version}: find unauthorized crypto mining in an AWS account.`,
    "",
    "Usage: minewatch <command> [options]",
    "",
    "Commands:",
    ...(Object.keys(SUMMARIES) as Command[]).map((c) => `  ${c.padEnd(7)} ${SUMMARIES[c].oneLine}`),
    "",
    "Options:",
    "  -h, --help       Show help (minewatch <command> --help shows that command's options).",
    "  -v, --version    Print the version.",
    "",
    "Examples:",
    "  minewatch demo                                   audit the bundled demo account, no AWS needed",
    "  minewatch audit --lookback 7d --save snap.json   live audit of the last 7 days, snapshot saved",
    "  minewatch audit --snapshot snap.json --format markdown   replay a saved snapshot offline",
    "  minewatch audit --fail-on high --quiet           for a pipeline: exit 1 on high or critical",
    "  minewatch rules                                  list the detection rules",
    "",
    "Exit codes:",
    ...EXIT_CODES.map((line) => `  ${line}`),
  ];
  return `${lines.join("\n")}\n`;
}
