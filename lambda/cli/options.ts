/**
 * Command-line options: one table per command that both the parser and the help text read, so an
 * option cannot exist without being documented, and every value is checked here, before any file
 * is read or any AWS call is made. Bad usage is a UsageError (exit code 2).
 */
import { parseArgs } from "node:util";
import { SEVERITIES, type Severity } from "../rules/types.js";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const COMMANDS = ["audit", "demo", "rules"] as const;
export type Command = (typeof COMMANDS)[number];

export const FORMATS = ["table", "json", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

/** --fail-on floors. `info` findings are context, never a reason to fail a pipeline. */
export const FAIL_ON_SEVERITIES = SEVERITIES.filter((s) => s !== "info");

/** CloudWatch keeps 5-minute data for 63 days: a longer window could not be read at that period. */
export const MAX_LOOKBACK_HOURS = 24 * 62;

export interface OptionSpec {
  name: string;
  type: "string" | "boolean";
  short?: string;
  /** Placeholder shown in help, e.g. SEV. */
  value?: string;
  description: string;
  /** A full command line using the option. */
  example: string;
}

const help = (command: string): OptionSpec => ({
  name: "help",
  type: "boolean",
  short: "h",
  description: "Show this help and exit.",
  example: `minewatch ${command} --help`,
});

const format = (command: string): OptionSpec => ({
  name: "format",
  type: "string",
  value: FORMATS.join("|"),
  description: "Output format (default table). json prints the report contract (docs/report.schema.json).",
  example: `minewatch ${command} --format json`,
});

const failOn = (command: string): OptionSpec => ({
  name: "fail-on",
  type: "string",
  value: "SEV",
  description: `Exit with code 1 when a finding at or above this severity exists (${FAIL_ON_SEVERITIES.join(", ")}).`,
  example: `minewatch ${command} --fail-on high`,
});

export const OPTION_SPECS: Record<Command, OptionSpec[]> = {
  audit: [
    {
      name: "regions",
      type: "string",
      value: "LIST",
      description:
        "Comma-separated regions to audit (default: every enabled region). With --snapshot, keeps only these regions of the saved snapshot; the others are reported as not requested.",
      example: "minewatch audit --regions eu-west-1,us-east-1",
    },
    {
      name: "lookback",
      type: "string",
      value: "DURATION",
      description: `Audit window ending now: minutes (90m), hours (24h) or days (7d), at most ${MAX_LOOKBACK_HOURS / 24}d (default: lookbackHours from the config, 24h). Live runs only.`,
      example: "minewatch audit --lookback 7d",
    },
    {
      name: "start",
      type: "string",
      value: "ISO",
      description: "Start of an explicit audit window (ISO 8601 date-time, with --end). Live runs only.",
      example: "minewatch audit --start 2026-03-01T00:00:00Z --end 2026-03-02T12:00:00Z",
    },
    {
      name: "end",
      type: "string",
      value: "ISO",
      description: "End of the explicit audit window (ISO 8601 date-time, with --start).",
      example: "minewatch audit --start 2026-03-01T00:00:00Z --end 2026-03-02T12:00:00Z",
    },
    format("audit"),
    {
      name: "save",
      type: "string",
      value: "FILE",
      description:
        "Write the collected snapshot to FILE (JSON), even when --fail-on then fails the run, to replay it later with --snapshot. Live runs only.",
      example: "minewatch audit --save incident-42.snapshot.json",
    },
    {
      name: "snapshot",
      type: "string",
      value: "FILE",
      description:
        "Audit a saved snapshot offline: no AWS call is made. The window is the snapshot's own, so --lookback, --start, --end and --save do not apply.",
      example: "minewatch audit --snapshot incident-42.snapshot.json --config minewatch.yaml",
    },
    {
      name: "previous",
      type: "string",
      value: "FILE",
      description:
        "A snapshot an earlier run saved (--save) of the same account: each hosted page's scripts are compared with it, so a script added since then is reported (MW-WEB-NEW-SCRIPT-SOURCE). Live or with --snapshot.",
      example: "minewatch audit --save today.snapshot.json --previous yesterday.snapshot.json",
    },
    {
      name: "config",
      type: "string",
      value: "FILE",
      description:
        "Settings file (YAML or JSON): approved regions and families, allowlist, thresholds (see docs/config.md). Defaults apply without it.",
      example: "minewatch audit --config minewatch.yaml",
    },
    failOn("audit"),
    {
      name: "output",
      type: "string",
      value: "FILE",
      description: "Write the report to FILE instead of stdout (a coverage warning still goes to stderr).",
      example: "minewatch audit --format markdown --output report.md",
    },
    {
      name: "quiet",
      type: "boolean",
      short: "q",
      description: "No progress lines on stderr. Errors and coverage warnings are still printed.",
      example: "minewatch audit --quiet --format json > report.json",
    },
    help("audit"),
  ],
  demo: [format("demo"), failOn("demo"), help("demo")],
  rules: [format("rules"), help("rules")],
};

export interface AuditOptions {
  command: "audit";
  format: Format;
  failOn?: Severity;
  regions?: string[];
  lookbackHours?: number;
  window?: { start: Date; end: Date };
  save?: string;
  snapshot?: string;
  previous?: string;
  config?: string;
  output?: string;
  quiet: boolean;
}

export interface DemoOptions {
  command: "demo";
  format: Format;
  failOn?: Severity;
}

export interface RulesOptions {
  command: "rules";
  format: Format;
}

export type CommandOptions = AuditOptions | DemoOptions | RulesOptions;

export type ParsedCommandLine =
  | { kind: "help"; command?: Command }
  | { kind: "version" }
  | { kind: "run"; options: CommandOptions };

type RawValues = Record<string, string | boolean | undefined>;

export function isCommand(word: string): word is Command {
  return (COMMANDS as readonly string[]).includes(word);
}

/** Turns argv (without node and the script) into what to do, or throws a UsageError. */
export function parseCommandLine(argv: string[], now: Date): ParsedCommandLine {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('No command given. Run "minewatch --help" to see the commands.');
  if (first === "--help" || first === "-h") return { kind: "help" };
  if (first === "--version" || first === "-v") return { kind: "version" };
  if (first === "help") {
    const topic = rest[0];
    if (topic === undefined) return { kind: "help" };
    if (isCommand(topic)) return { kind: "help", command: topic };
    throw unknownCommand(topic);
  }
  if (!isCommand(first)) throw unknownCommand(first);
  const values = parseCommandArgs(first, rest);
  if (values.help === true) return { kind: "help", command: first };
  return { kind: "run", options: toCommandOptions(first, values, now) };
}

function unknownCommand(word: string): UsageError {
  const what = word.startsWith("-") ? `Unknown option "${word}"` : `Unknown command "${word}"`;
  return new UsageError(`${what}. The commands are ${COMMANDS.join(", ")}; run "minewatch --help" for details.`);
}

function parseCommandArgs(command: Command, args: string[]): RawValues {
  const options = Object.fromEntries(
    OPTION_SPECS[command].map((spec) => [
      spec.name,
      spec.short ? { type: spec.type, short: spec.short } : { type: spec.type },
    ]),
  );
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as RawValues;
  } catch (error) {
    throw new UsageError(describeParseError(command, error));
  }
}

/** node:util's messages suggest `--` tricks that do not apply here; say what to do instead. */
function describeParseError(command: Command, error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
  const seeHelp = `Run "minewatch ${command} --help" to see its options.`;
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `Unknown option "${quoted}" for "minewatch ${command}". ${seeHelp}`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `Unexpected argument "${quoted}": "minewatch ${command}" takes only options (--name value). ${seeHelp}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      // "'-q, --quiet' does not take an argument": name the long form a person typed.
      const name = /--[\w-]+/.exec(quoted)?.[0] ?? quoted.split(" ")[0] ?? quoted;
      return /does not take/.test(message)
        ? `Option "${name}" is a switch and takes no value. ${seeHelp}`
        : `Option "${name}" needs a value, e.g. ${exampleFor(command, name)}. ${seeHelp}`;
    }
    default:
      return `${message}. ${seeHelp}`;
  }
}

function exampleFor(command: Command, flag: string): string {
  const spec = OPTION_SPECS[command].find((s) => `--${s.name}` === flag || `-${s.short}` === flag);
  return spec ? `"${spec.example}"` : `"${flag} VALUE"`;
}

function toCommandOptions(command: Command, values: RawValues, now: Date): CommandOptions {
  const fmt = parseFormat(str(values, "format"));
  if (command === "rules") return { command, format: fmt };
  const failOnValue = str(values, "fail-on");
  const failOn = failOnValue === undefined ? undefined : parseFailOn(failOnValue);
  if (command === "demo") return { command, format: fmt, ...(failOn ? { failOn } : {}) };
  return toAuditOptions(values, fmt, failOn, now);
}

function toAuditOptions(values: RawValues, format: Format, failOn: Severity | undefined, now: Date): AuditOptions {
  const snapshot = str(values, "snapshot");
  const lookback = str(values, "lookback");
  const start = str(values, "start");
  const end = str(values, "end");
  const save = str(values, "save");
  if (snapshot !== undefined) {
    const liveOnly = [
      ["--lookback", lookback],
      ["--start", start],
      ["--end", end],
      ["--save", save],
    ].filter(([, v]) => v !== undefined);
    if (liveOnly.length > 0) {
      const names = liveOnly.map(([n]) => n).join(", ");
      throw new UsageError(
        `${names} cannot be combined with --snapshot: a saved snapshot has its own window and is already saved. Drop ${names}, or drop --snapshot to collect live from AWS.`,
      );
    }
  }
  if (lookback !== undefined && (start !== undefined || end !== undefined)) {
    throw new UsageError(
      "--lookback and --start/--end both set the audit window: use --lookback 24h for a window ending now, or --start and --end for a fixed one.",
    );
  }
  const regionsValue = str(values, "regions");
  const output = str(values, "output");
  const config = str(values, "config");
  const previous = str(values, "previous");
  const window = start !== undefined || end !== undefined ? parseWindow(start, end, now) : undefined;
  return {
    command: "audit",
    format,
    quiet: values.quiet === true,
    ...(failOn ? { failOn } : {}),
    ...(regionsValue !== undefined ? { regions: parseRegions(regionsValue) } : {}),
    ...(lookback !== undefined ? { lookbackHours: parseLookback(lookback) } : {}),
    ...(window ? { window } : {}),
    ...(save !== undefined ? { save } : {}),
    ...(snapshot !== undefined ? { snapshot } : {}),
    ...(previous !== undefined ? { previous } : {}),
    ...(config !== undefined ? { config } : {}),
    ...(output !== undefined ? { output } : {}),
  };
}

function str(values: RawValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

export function parseFormat(value: string | undefined): Format {
  if (value === undefined) return "table";
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new UsageError(`--format "${value}" is not a format: use one of ${FORMATS.join(", ")}, e.g. --format json.`);
}

export function parseFailOn(value: string): Severity {
  const floor = FAIL_ON_SEVERITIES.find((s) => s === value.toLowerCase());
  if (floor) return floor;
  throw new UsageError(
    `--fail-on "${value}" is not a severity: use one of ${FAIL_ON_SEVERITIES.join(", ")}, e.g. --fail-on high.`,
  );
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function parseRegions(value: string): string[] {
  const regions = [
    ...new Set(
      value
        .split(",")
        .map((r) => r.trim())
        .filter((r) => r !== ""),
    ),
  ];
  if (regions.length === 0) {
    throw new UsageError("--regions is empty: give one or more region names, e.g. --regions eu-west-1,us-east-1.");
  }
  const bad = regions.filter((r) => !REGION.test(r));
  if (bad.length > 0) {
    throw new UsageError(
      `--regions: ${bad.map((r) => `"${r}"`).join(", ")} ${bad.length === 1 ? "is not a region name" : "are not region names"}: use AWS region codes separated by commas, e.g. --regions eu-west-1,us-east-1.`,
    );
  }
  return regions;
}

const UNIT_HOURS: Record<string, number> = { m: 1 / 60, h: 1, d: 24 };

/** "90m" -> 1.5, "24h" -> 24, "7d" -> 168 (hours). */
export function parseLookback(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([mhd])$/i.exec(value.trim());
  const amount = match?.[1];
  const unit = match?.[2]?.toLowerCase();
  if (amount === undefined || unit === undefined) {
    throw new UsageError(
      `--lookback "${value}" is not a duration: use a number followed by m, h or d, e.g. --lookback 90m, 24h or 7d.`,
    );
  }
  const hours = Number(amount) * (UNIT_HOURS[unit] ?? 1);
  if (hours <= 0 || hours > MAX_LOOKBACK_HOURS) {
    throw new UsageError(
      `--lookback ${value} is out of range: use more than 0 and at most ${MAX_LOOKBACK_HOURS / 24}d (CloudWatch keeps 5-minute data for 63 days).`,
    );
  }
  return hours;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function parseInstant(name: string, value: string): Date {
  const ms = Date.parse(value);
  if (!ISO_DATE_TIME.test(value) || Number.isNaN(ms)) {
    throw new UsageError(
      `${name} "${value}" is not an ISO 8601 date-time with a time zone: write it like 2026-03-01T00:00:00Z.`,
    );
  }
  return new Date(ms);
}

export function parseWindow(start: string | undefined, end: string | undefined, now: Date): { start: Date; end: Date } {
  if (start === undefined || end === undefined) {
    throw new UsageError(
      `${start === undefined ? "--end" : "--start"} needs ${start === undefined ? "--start" : "--end"} too: give both, e.g. --start 2026-03-01T00:00:00Z --end 2026-03-02T00:00:00Z, or use --lookback 24h.`,
    );
  }
  const window = { start: parseInstant("--start", start), end: parseInstant("--end", end) };
  if (window.start.getTime() >= window.end.getTime()) {
    throw new UsageError(`--start ${start} is not before --end ${end}: swap them or widen the window.`);
  }
  if (window.end.getTime() > now.getTime() + 5 * 60 * 1000) {
    throw new UsageError(`--end ${end} is in the future: use a time up to now (${now.toISOString()}).`);
  }
  return window;
}
