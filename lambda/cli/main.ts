/**
 * The `minewatch` command: parse, run the shared audit core, print, choose an exit code.
 *
 * `main` never throws and never calls process.exit: it returns the exit code (bin/minewatch.mjs
 * sets it), and every failure becomes one paragraph on stderr, so tests drive it like a user would.
 */
import { readFileSync } from "node:fs";
import { access, constants } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ClientFactory, createClientFactory } from "../collect/clients.js";
import { carryScriptSources } from "../collect/web-content.js";
import { type Config, ConfigSchema, defaultConfig } from "../core/config.js";
import { loadDocument } from "../core/input.js";
import { runAudit } from "../core/run.js";
import { type AccountSnapshot, AccountSnapshotSchema } from "../core/snapshot.js";
import type { AuditReport } from "../report/model.js";
import { renderReport } from "../report/render.js";
import { renderRules } from "../report/rules-table.js";
import { RULES } from "../rules/registry.js";
import { atLeast, type Severity } from "../rules/types.js";
import { scriptSourcesGap } from "../state/script-sources.js";
import { describeFailure, EXIT } from "./errors.js";
import { commandHelp, generalHelp } from "./help.js";
import { type AuditOptions, type DemoOptions, parseCommandLine, UsageError } from "./options.js";
import { formatSnapshotJson, restrictToRegions, writeFileAtomic } from "./snapshot-file.js";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** AWS clients for live runs; the default credential chain when absent. */
  clients?: ClientFactory;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
}

/** The package root, found from this file rather than the working directory. */
export const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DEMO_SNAPSHOT = join(PACKAGE_ROOT, "scenarios", "demo-account", "snapshot.json");
export const DEMO_CONFIG = join(PACKAGE_ROOT, "scenarios", "demo-account", "config.yaml");

const SNAPSHOT_FIX =
  "docs/snapshot.md describes every field (docs/snapshot.schema.json is the JSON Schema); a file written by --save is always valid.";
const CONFIG_FIX = "docs/config.md lists every field with its default and an example.";

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  clients: ClientFactory | undefined;
  now: () => Date;
  env: NodeJS.ProcessEnv;
}

export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const env = io.env ?? process.env;
  const ctx: Io = {
    out: io.stdout ?? ((text) => process.stdout.write(text)),
    err: io.stderr ?? ((text) => process.stderr.write(text)),
    clients: io.clients,
    now: io.now ?? (() => new Date()),
    env,
  };
  try {
    const parsed = parseCommandLine(argv, ctx.now());
    if (parsed.kind === "version") {
      ctx.out(`${packageVersion()}\n`);
      return EXIT.ok;
    }
    if (parsed.kind === "help") {
      ctx.out(parsed.command ? commandHelp(parsed.command) : generalHelp(packageVersion()));
      return EXIT.ok;
    }
    const options = parsed.options;
    switch (options.command) {
      case "rules":
        ctx.out(withNewline(renderRules(RULES, options.format)));
        return EXIT.ok;
      case "demo":
        return await runDemo(options, ctx);
      case "audit":
        return await runAuditCommand(options, ctx);
    }
  } catch (error) {
    const failure = describeFailure(error);
    ctx.err(`minewatch: ${failure.message}\n`);
    if (env.MINEWATCH_DEBUG && error instanceof Error && error.stack) ctx.err(`${error.stack}\n`);
    return failure.exitCode;
  }
}

async function runDemo(options: DemoOptions, ctx: Io): Promise<number> {
  ctx.err(
    "minewatch: auditing the bundled demo account (scenarios/demo-account), a saved snapshot: no AWS calls are made.\n",
  );
  const config = await loadDocument(DEMO_CONFIG, ConfigSchema, "demo config", CONFIG_FIX);
  const snapshot = await loadDocument(DEMO_SNAPSHOT, AccountSnapshotSchema, "demo snapshot", SNAPSHOT_FIX);
  const { report } = await runAudit({ config, snapshot, generatedAt: ctx.now() });
  ctx.out(withNewline(renderReport(report, options.format)));
  warnAboutGaps(report, ctx);
  return exitCodeFor(report, options.failOn, ctx);
}

async function runAuditCommand(options: AuditOptions, ctx: Io): Promise<number> {
  const config: Config = options.config
    ? await loadDocument(options.config, ConfigSchema, "config file", CONFIG_FIX)
    : defaultConfig();
  if (options.save) await ensureWritableDirectory(options.save, "--save");
  if (options.output) await ensureWritableDirectory(options.output, "--output");

  let snapshot: AccountSnapshot | undefined;
  if (options.snapshot) {
    snapshot = await loadDocument(options.snapshot, AccountSnapshotSchema, "snapshot", SNAPSHOT_FIX);
    if (options.regions) snapshot = restrictToRegions(snapshot, checkRegionsInSnapshot(snapshot, options.regions));
  }
  // Read before a live collection starts: a wrong file fails in a second, not after minutes of calls.
  const previous = options.previous
    ? await loadDocument(options.previous, AccountSnapshotSchema, "previous snapshot (--previous)", SNAPSHOT_FIX)
    : undefined;
  const progress = options.quiet ? undefined : (message: string) => ctx.err(`${message}\n`);
  const run = await runAudit({
    config,
    generatedAt: ctx.now(),
    ...(previous && options.previous ? { withHistory: compareWith(previous, options.previous) } : {}),
    ...(snapshot
      ? { snapshot }
      : {
          clients: ctx.clients ?? createClientFactory(defaultRegionFrom(ctx.env)),
          window: liveWindow(options, config, ctx.now()),
          ...(options.regions ? { regions: options.regions } : {}),
          ...(progress ? { onProgress: progress } : {}),
        }),
  });

  let saveFailed = false;
  if (options.save) {
    try {
      await writeFileAtomic(options.save, formatSnapshotJson(run.snapshot));
      if (!options.quiet)
        ctx.err(`minewatch: snapshot saved to ${options.save} (replay: --snapshot ${options.save}).\n`);
    } catch (error) {
      saveFailed = true;
      ctx.err(`minewatch: could not save the snapshot to ${options.save}: ${describeFailure(error).message}\n`);
    }
  }

  const text = withNewline(renderReport(run.report, options.format));
  if (options.output) {
    await writeFileAtomic(options.output, text);
    ctx.err(`minewatch: report written to ${options.output}: ${summaryLine(run.report)}\n`);
  } else {
    ctx.out(text);
  }
  warnAboutGaps(run.report, ctx);
  const code = exitCodeFor(run.report, options.failOn, ctx);
  return saveFailed && code === EXIT.ok ? EXIT.runtime : code;
}

/**
 * Fills the previous script sources from `--previous`. A snapshot of another account is not compared
 * (every page would look new): that is a coverage entry, and what was collected is kept.
 */
function compareWith(previous: AccountSnapshot, file: string): (snapshot: AccountSnapshot) => Promise<AccountSnapshot> {
  return async (snapshot) => {
    if (previous.accountId === snapshot.accountId) return carryScriptSources(previous, snapshot);
    const entry = scriptSourcesGap(
      "failed",
      "error",
      `${file} is a snapshot of account ${previous.accountId}, not ${snapshot.accountId}: web script sources were not compared. Pass a snapshot of the same account.`,
    );
    return { ...snapshot, coverage: [...snapshot.coverage, entry] };
  };
}

function defaultRegionFrom(env: NodeJS.ProcessEnv): { defaultRegion?: string } {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  return region ? { defaultRegion: region } : {};
}

function liveWindow(options: AuditOptions, config: Config, now: Date): { start: Date; end: Date } {
  if (options.window) return options.window;
  const hours = options.lookbackHours ?? config.lookbackHours;
  return { start: new Date(now.getTime() - hours * 3600 * 1000), end: now };
}

function checkRegionsInSnapshot(snapshot: AccountSnapshot, regions: string[]): string[] {
  const known = new Set(snapshot.regions.map((r) => r.name));
  const missing = regions.filter((r) => !known.has(r));
  if (missing.length > 0) {
    throw new UsageError(
      `--regions: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not in the snapshot, which lists ${[...known].join(", ") || "no regions"}. Pick regions from that list, or drop --regions.`,
    );
  }
  return regions;
}

/** Fails before a long live run, not after it, when the result could not be written. */
async function ensureWritableDirectory(path: string, option: string): Promise<void> {
  const dir = dirname(resolve(path));
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new UsageError(
      `${option} ${path}: the directory ${dir} does not exist or is not writable. Create it or choose another path.`,
    );
  }
}

function summaryLine(report: AuditReport): string {
  const { findings, worstSeverity, suppressed } = report.summary;
  return `${findings} finding${findings === 1 ? "" : "s"}${worstSeverity ? ` (worst: ${worstSeverity})` : ""}, ${suppressed} suppressed.`;
}

/**
 * Never a silent pass: whatever the format or destination, a person watching the terminal learns
 * that part of the account was not audited, and which part (the report has the full detail).
 */
function warnAboutGaps(report: AuditReport, ctx: Io): void {
  const { coverage, ruleErrors } = report;
  if (!coverage.complete) {
    ctx.err(`minewatch: coverage is INCOMPLETE, findings cover only what was read. ${describeGaps(report)}\n`);
  }
  if (ruleErrors.length > 0) {
    ctx.err(
      `minewatch: ${ruleErrors.length} rule${ruleErrors.length === 1 ? "" : "s"} failed and did not check anything: ${ruleErrors.map((e) => `${e.ruleId} (${e.message})`).join("; ")}.\n`,
    );
  }
}

const MAX_GAPS_SHOWN = 6;

/** Regions not audited, grouped by why (every name shown), then the other gaps (a few shown). */
export function describeGaps(report: AuditReport): string {
  const { regionsNotAudited, gaps } = report.coverage;
  // Regions that are not opted in are listed in the report, but nothing can run there: not a gap.
  const unaudited = regionsNotAudited.filter((r) => !/not opted in/i.test(r.reason));
  const byReason = new Map<string, string[]>();
  for (const { region, reason } of unaudited) byReason.set(reason, [...(byReason.get(reason) ?? []), region]);
  const parts = [...byReason].map(([reason, regions]) => `Regions not audited: ${regions.join(", ")}: ${reason}.`);
  const unauditedNames = new Set(unaudited.map((r) => r.region));
  const other = gaps.filter(
    (g) => g.reason !== "not-opted-in" && !(unauditedNames.has(g.region) && g.api === "DescribeInstances"),
  );
  if (other.length > 0) {
    const shown = other
      .slice(0, MAX_GAPS_SHOWN)
      .map((g) => `${g.region} ${g.service}:${g.api} ${g.status}${g.reason ? ` (${g.reason})` : ""}`);
    const more = other.length > MAX_GAPS_SHOWN ? `; and ${other.length - MAX_GAPS_SHOWN} more` : "";
    parts.push(`Not read: ${shown.join("; ")}${more}.`);
  }
  return parts.length > 0
    ? `${parts.join(" ")} See the report's coverage section.`
    : "See the report's coverage section.";
}

function exitCodeFor(report: AuditReport, failOn: Severity | undefined, ctx: Io): number {
  if (!failOn) return EXIT.ok;
  const over = report.findings.filter((f) => atLeast(f.severity, failOn));
  if (over.length === 0) return EXIT.ok;
  ctx.err(
    `minewatch: ${over.length} finding${over.length === 1 ? "" : "s"} at or above --fail-on ${failOn}: exit code ${EXIT.findings}.\n`,
  );
  return EXIT.findings;
}

function withNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}
