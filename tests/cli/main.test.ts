/**
 * The CLI driven like a user drives it: argv in, exit code and captured stdout/stderr out. Live
 * runs use aws-sdk-client-mock at the SDK boundary and a socket guard that fails any real connection.
 */

import { readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AmplifyClient } from "@aws-sdk/client-amplify";
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { CostExplorerClient, GetAnomaliesCommand, GetCostAndUsageCommand } from "@aws-sdk/client-cost-explorer";
import {
  type _InstanceType,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeRegionsCommand,
  EC2Client,
  type Instance as Ec2Instance,
} from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { GuardDutyClient } from "@aws-sdk/client-guardduty";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { describeFailure } from "../../lambda/cli/errors.js";
import { type CliIo, DEMO_CONFIG, DEMO_SNAPSHOT, main, PACKAGE_ROOT } from "../../lambda/cli/main.js";
import { OPTION_SPECS, parseLookback } from "../../lambda/cli/options.js";
import { formatSnapshotJson, restrictToRegions } from "../../lambda/cli/snapshot-file.js";
import { createClientFactory } from "../../lambda/collect/clients.js";
import { UserInputError } from "../../lambda/core/input.js";
import { AccountSnapshotSchema } from "../../lambda/core/snapshot.js";
import { type AuditReport, AuditReportSchema } from "../../lambda/report/model.js";
import { RULES } from "../../lambda/rules/registry.js";
import { buildSnapshot, daysAgo, fleet, hoursAgo, instance, series } from "../support/snapshot-builder.js";

const NOW = new Date("2026-03-10T06:00:00.000Z");
const VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
const STACK_FRAME = /^\s+at /m;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], io: Partial<CliIo> = {}): Promise<Result> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    now: () => NOW,
    env: {},
    ...io,
  });
  return { code, stdout, stderr };
}

function parseReport(stdout: string): AuditReport {
  return AuditReportSchema.parse(JSON.parse(stdout));
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "minewatch-cli-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeTemp(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content, "utf8");
  return path;
}

/** A saved snapshot with a GPU launch wave in a region the account never used. */
function suspiciousSnapshot() {
  return buildSnapshot({
    instances: [
      instance(),
      instance({ instanceId: "i-0b1b2c3d4e5f60718", region: "us-east-1", launchTime: daysAgo(90) }),
      ...fleet(6, { region: "sa-east-1", instanceType: "p3.16xlarge", launchTime: hoursAgo(3), keyName: "x" }),
    ],
    metrics: {
      byInstance: {
        "i-0a1b2c3d4e5f60718": { cpu: series(Array.from({ length: 48 }, () => 12)) },
      },
    },
  });
}

describe("help and version", () => {
  const expectedOptions: Record<string, string[]> = {
    audit: [
      "--regions",
      "--lookback",
      "--start",
      "--end",
      "--format",
      "--save",
      "--snapshot",
      "--config",
      "--fail-on",
      "--output",
      "--quiet",
      "--help",
    ],
    demo: ["--format", "--fail-on", "--help"],
    rules: ["--format", "--help"],
  };

  it.each(Object.entries(expectedOptions))(
    "`%s --help` exits 0 and explains every option with an example",
    async (command, options) => {
      const { code, stdout, stderr } = await run([command, "--help"]);
      expect(code).toBe(0);
      expect(stderr).toBe("");
      for (const option of options) expect(stdout).toContain(option);
      // One example per option, each a full command line.
      const examples = stdout.split("\n").filter((line) => line.trim().startsWith(`Example: minewatch ${command}`));
      expect(examples).toHaveLength(OPTION_SPECS[command as keyof typeof OPTION_SPECS].length);
      expect(stdout).toContain("Exit codes:");
    },
  );

  it.each([[["--help"]], [["-h"]], [["help"]]])("%j shows the commands and exit codes", async (argv) => {
    const { code, stdout } = await run(argv);
    expect(code).toBe(0);
    for (const command of ["audit", "demo", "rules", "--version"]) expect(stdout).toContain(command);
    expect(stdout).toMatch(/3\s+AWS or runtime failure/);
  });

  it("`help audit` is the same as `audit --help`", async () => {
    expect((await run(["help", "audit"])).stdout).toBe((await run(["audit", "--help"])).stdout);
  });

  it.each([["--version"], ["-v"]])("%s prints the package version", async (flag) => {
    const { code, stdout } = await run([flag]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(VERSION);
  });
});

describe("bad usage exits 2 with one paragraph naming the problem", () => {
  it.each([
    { argv: [], says: ["No command given", "minewatch --help"] },
    { argv: ["scan"], says: ['Unknown command "scan"', "audit, demo, rules"] },
    { argv: ["audit", "--frobnicate"], says: ['Unknown option "--frobnicate"', "minewatch audit --help"] },
    { argv: ["demo", "--regions", "eu-west-1"], says: ['Unknown option "--regions" for "minewatch demo"'] },
    { argv: ["audit", "extra"], says: ['Unexpected argument "extra"'] },
    { argv: ["audit", "--format"], says: ['Option "--format" needs a value', "minewatch audit --format json"] },
    { argv: ["audit", "--format", "xml"], says: ['--format "xml"', "table, json, markdown"] },
    { argv: ["audit", "--lookback", "2w"], says: ['--lookback "2w" is not a duration', "90m, 24h or 7d"] },
    { argv: ["audit", "--lookback", "0h"], says: ["--lookback 0h is out of range"] },
    { argv: ["audit", "--lookback", "90d"], says: ["at most 62d"] },
    { argv: ["audit", "--fail-on", "urgent"], says: ['--fail-on "urgent"', "critical, high, medium, low"] },
    { argv: ["audit", "--regions", "eu-west-one"], says: ['"eu-west-one" is not a region name'] },
    { argv: ["audit", "--start", "2026-03-01T00:00:00Z"], says: ["--start needs --end too"] },
    {
      argv: ["audit", "--start", "2026-03-02T00:00:00Z", "--end", "2026-03-01T00:00:00Z"],
      says: ["is not before --end"],
    },
    { argv: ["audit", "--start", "yesterday", "--end", "2026-03-01T00:00:00Z"], says: ['--start "yesterday"'] },
    { argv: ["audit", "--lookback", "24h", "--start", "2026-03-01T00:00:00Z"], says: ["--lookback and --start/--end"] },
    {
      argv: ["audit", "--snapshot", "s.json", "--lookback", "24h"],
      says: ["--lookback cannot be combined with --snapshot"],
    },
    {
      argv: ["audit", "--snapshot", "s.json", "--save", "t.json"],
      says: ["--save cannot be combined with --snapshot"],
    },
    { argv: ["audit", "--quiet=yes"], says: ['Option "--quiet" is a switch'] },
  ])("$argv", async ({ argv, says }) => {
    const { code, stdout, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    for (const text of says) expect(stderr).toContain(text);
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  it.each([
    ["90m", 1.5],
    ["24h", 24],
    ["7d", 168],
    ["36H", 36],
  ])("--lookback %s is %d hours", (text, hours) => {
    expect(parseLookback(text)).toBe(hours);
  });
});

describe("bad input files exit 2 naming the file and the field", () => {
  it("a snapshot that is not JSON names the file", async () => {
    const path = await writeTemp("broken.json", '{ "schemaVersion": 1, ');
    const { code, stderr } = await run(["audit", "--snapshot", path]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${path} is not valid JSON`);
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it("a snapshot with a wrong field names the file, the field and where the format is described", async () => {
    const snapshot = { ...suspiciousSnapshot(), accountId: "12345" } as Record<string, unknown>;
    const path = await writeTemp("bad-account.json", JSON.stringify(snapshot));
    const { code, stdout, stderr } = await run(["audit", "--snapshot", path]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(`snapshot ${path} is not valid`);
    expect(stderr).toContain("accountId: a 12-digit AWS account id");
    expect(stderr).toContain("docs/snapshot.md");
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it("a missing snapshot file says it does not exist", async () => {
    const { code, stderr } = await run(["audit", "--snapshot", join(dir, "nope.json")]);
    expect(code).toBe(2);
    expect(stderr).toContain("it does not exist");
  });

  it.each([
    {
      name: "threshold out of range",
      yaml: "thresholds:\n  highCpuPercent: 150\n",
      field: "thresholds.highCpuPercent",
    },
    {
      name: "allowlist entry without reason",
      yaml: "allowlist:\n  - region: eu-west-1\n",
      field: "allowlist.0.reason",
    },
    {
      name: "allowlist entry with a reason but no matcher",
      yaml: "allowlist:\n  - reason: nightly ML training\n",
      field: "an allowlist entry needs at least one of",
    },
    { name: "unknown region in approvedRegions", yaml: "approvedRegions: [europe]\n", field: "approvedRegions.0" },
  ])("an invalid config ($name) names the field", async ({ yaml, field }) => {
    const config = await writeTemp("minewatch.yaml", yaml);
    const snapshot = await writeTemp("s.json", JSON.stringify(suspiciousSnapshot()));
    const { code, stdout, stderr } = await run(["audit", "--snapshot", snapshot, "--config", config]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(`config file ${config} is not valid`);
    expect(stderr).toContain(field);
    expect(stderr).toContain("docs/config.md");
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it("a config that is not YAML names the file", async () => {
    const config = await writeTemp("minewatch.yaml", "thresholds: [unclosed\n");
    const { code, stderr } = await run(["audit", "--snapshot", "unused.json", "--config", config]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${config} is not valid YAML`);
  });
});

describe("demo", () => {
  it("audits the bundled account, says so, and prints findings", async () => {
    const { code, stdout, stderr } = await run(["demo"]);
    expect(code).toBe(0);
    expect(stderr).toContain("bundled demo account");
    expect(stderr).toContain("no AWS calls");
    const { report } = await demoReport();
    expect(report.findings.length).toBeGreaterThan(0);
    for (const finding of report.findings.slice(0, 3)) expect(stdout).toContain(finding.id);
  });

  it("reads the demo files relative to the package, not the working directory", async () => {
    const cwd = process.cwd();
    process.chdir(tmpdir());
    try {
      expect((await run(["demo", "--format", "json"])).code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(DEMO_SNAPSHOT.startsWith(PACKAGE_ROOT)).toBe(true);
    expect(DEMO_CONFIG.startsWith(PACKAGE_ROOT)).toBe(true);
  });

  it("--fail-on high exits 1 because the demo has critical findings", async () => {
    const { report } = await demoReport();
    expect(report.findings.some((f) => f.severity === "critical")).toBe(true);
    const { code, stderr } = await run(["demo", "--fail-on", "high"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/at or above --fail-on high: exit code 1/);
  });

  it.each(["table", "markdown"] as const)("renders as %s with the same findings as the JSON", async (format) => {
    const { report } = await demoReport();
    const { code, stdout } = await run(["demo", "--format", format]);
    expect(code).toBe(0);
    for (const finding of report.findings) expect(stdout).toContain(finding.title);
  });

  async function demoReport(): Promise<{ report: AuditReport }> {
    const { code, stdout } = await run(["demo", "--format", "json"]);
    expect(code).toBe(0);
    return { report: parseReport(stdout) };
  }
});

describe("rules", () => {
  it("lists every registered rule with its severity, rationale and recommendation", async () => {
    const { code, stdout } = await run(["rules"]);
    expect(code).toBe(0);
    for (const rule of RULES) {
      expect(stdout).toContain(rule.id);
      expect(stdout.replace(/\s+/g, " ")).toContain(rule.rationale.replace(/\s+/g, " "));
    }
  });

  it("prints the metadata as JSON", async () => {
    const { code, stdout } = await run(["rules", "--format", "json"]);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { rules: { id: string; severity: string; recommendation: string }[] };
    expect(parsed.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    expect(parsed.rules.map((r) => r.severity)).toEqual(RULES.map((r) => r.severity));
  });

  it("prints a Markdown table", async () => {
    const { stdout } = await run(["rules", "--format", "markdown"]);
    for (const rule of RULES) expect(stdout).toMatch(new RegExp(`^\\| \`${rule.id}\` +\\| ${rule.severity} +\\|`, "m"));
  });
});

describe("audit --snapshot (offline)", () => {
  it("audits a saved snapshot and exits 0 with findings", async () => {
    const path = await writeTemp("s.json", JSON.stringify(suspiciousSnapshot()));
    const { code, stdout } = await run(["audit", "--snapshot", path, "--format", "json"]);
    expect(code).toBe(0);
    const report = parseReport(stdout);
    expect(report.accountId).toBe("123456789012");
    expect(report.findings.some((f) => f.regions.includes("sa-east-1"))).toBe(true);
  });

  it("--regions keeps only those regions and reports the rest as not audited", async () => {
    const path = await writeTemp("s.json", JSON.stringify(suspiciousSnapshot()));
    const { code, stdout, stderr } = await run([
      "audit",
      "--snapshot",
      path,
      "--regions",
      "eu-west-1,us-east-1",
      "--format",
      "json",
    ]);
    expect(code).toBe(0);
    const report = parseReport(stdout);
    expect(report.findings.filter((f) => f.regions.includes("sa-east-1"))).toEqual([]);
    expect(report.coverage.complete).toBe(false);
    expect(JSON.stringify(report.coverage)).toContain("sa-east-1");
    expect(stderr).toContain("coverage is INCOMPLETE");
    expect(stderr).toContain("sa-east-1");
  });

  it("--regions naming a region the snapshot does not have is an error", async () => {
    const path = await writeTemp("s.json", JSON.stringify(suspiciousSnapshot()));
    const { code, stderr } = await run(["audit", "--snapshot", path, "--regions", "eu-south-2"]);
    expect(code).toBe(2);
    expect(stderr).toContain("eu-south-2 is not in the snapshot");
  });

  it("prints the coverage gaps of an incomplete snapshot even with --quiet and JSON output", async () => {
    const snapshot = buildSnapshot({
      instances: [instance()],
      coverage: [
        {
          region: "global",
          service: "ce",
          api: "GetCostAndUsage",
          status: "failed",
          reason: "cost-explorer-not-enabled",
          message: "User not enabled for cost explorer access",
        },
      ],
    });
    const path = await writeTemp("s.json", JSON.stringify(snapshot));
    const { code, stdout, stderr } = await run(["audit", "--snapshot", path, "--quiet", "--format", "json"]);
    expect(code).toBe(0);
    expect(parseReport(stdout).coverage.complete).toBe(false);
    expect(stderr).toContain("coverage is INCOMPLETE");
    expect(stderr).toContain("cost-explorer-not-enabled");
  });

  it("--output writes the report to a file and says so on stderr", async () => {
    const path = await writeTemp("s.json", JSON.stringify(suspiciousSnapshot()));
    const out = join(dir, "report.md");
    const { code, stdout, stderr } = await run(["audit", "--snapshot", path, "--format", "markdown", "--output", out]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toContain(`report written to ${out}`);
    expect((await readFile(out, "utf8")).length).toBeGreaterThan(100);
  });

  it("--output into a missing directory fails before any audit", async () => {
    const path = await writeTemp("s.json", JSON.stringify(suspiciousSnapshot()));
    const { code, stderr } = await run(["audit", "--snapshot", path, "--output", join(dir, "no", "such", "r.md")]);
    expect(code).toBe(2);
    expect(stderr).toContain("does not exist or is not writable");
  });
});

describe("audit --previous (web script sources of an earlier run)", () => {
  const WEB_SCENARIO = join(PACKAGE_ROOT, "scenarios/web-miner-site/snapshot.json");
  /** Today's web-miner-site snapshot without its comparison, and yesterday's, built from it. */
  function webSnapshots() {
    const scenario = AccountSnapshotSchema.parse(JSON.parse(readFileSync(WEB_SCENARIO, "utf8")));
    const web = scenario.webContent;
    const before = web?.previousScriptSources;
    if (!web || !before) throw new Error("web-miner-site has no previous script sources");
    const { previousScriptSources: _dropped, ...today } = web;
    const yesterday = {
      ...scenario,
      collectedAt: before.collectedAt,
      webContent: {
        ...today,
        objects: today.objects.map((o) => ({
          ...o,
          scriptSources: before.byObject[`s3://${o.bucket}/${o.key}`] ?? o.scriptSources,
        })),
      },
    };
    return { today: { ...scenario, webContent: today }, yesterday };
  }
  const newScriptRule = (report: AuditReport) =>
    report.findings.filter((f) => f.rules.includes("MW-WEB-NEW-SCRIPT-SOURCE")).length;

  it("reports a script added since the earlier snapshot, and not without it", async () => {
    const { today, yesterday } = webSnapshots();
    const todayFile = await writeTemp("today.json", JSON.stringify(today));
    const yesterdayFile = await writeTemp("yesterday.json", JSON.stringify(yesterday));
    const alone = await run(["audit", "--snapshot", todayFile, "--format", "json"]);
    expect(newScriptRule(parseReport(alone.stdout))).toBe(0);
    const compared = await run(["audit", "--snapshot", todayFile, "--previous", yesterdayFile, "--format", "json"]);
    expect(compared.stderr).not.toMatch(STACK_FRAME);
    const report = parseReport(compared.stdout);
    expect(newScriptRule(report)).toBe(1);
    expect(JSON.stringify(report.findings)).toContain("cdn.jsdelivr-static.net/npm/perf-metrics");
  });

  it("does not compare with another account's snapshot, and says so in coverage", async () => {
    const { today, yesterday } = webSnapshots();
    const todayFile = await writeTemp("today.json", JSON.stringify(today));
    const other = await writeTemp("other.json", JSON.stringify({ ...yesterday, accountId: "999999999999" }));
    const result = await run(["audit", "--snapshot", todayFile, "--previous", other, "--format", "json"]);
    const report = parseReport(result.stdout);
    expect(newScriptRule(report)).toBe(0);
    expect(report.coverage.gaps).toContainEqual(
      expect.objectContaining({
        api: "previous-script-sources",
        status: "failed",
        message: expect.stringContaining("is a snapshot of account 999999999999, not 210987654321"),
      }),
    );
  });

  it("a broken --previous file exits 2 naming the file, with no stack trace", async () => {
    const { today } = webSnapshots();
    const todayFile = await writeTemp("today.json", JSON.stringify(today));
    const broken = await writeTemp("broken.json", "{not json");
    const result = await run(["audit", "--snapshot", todayFile, "--previous", broken]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("broken.json");
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});

describe("restrictToRegions", () => {
  it("drops other regions' instances, metrics and region spend, and records them as not requested", () => {
    const snapshot = buildSnapshot({
      instances: [instance(), instance({ instanceId: "i-0c1b2c3d4e5f60718", region: "sa-east-1" })],
      metrics: {
        byInstance: {
          "i-0a1b2c3d4e5f60718": { cpu: series([1, 2]) },
          "i-0c1b2c3d4e5f60718": { cpu: series([99, 99]) },
        },
      },
      costs: {
        days: ["2026-03-09", "2026-03-10"],
        byRegion: { "eu-west-1": [1, 1], "sa-east-1": [0, 50], NoRegion: [2, 2] },
        byService: { "Amazon Elastic Compute Cloud - Compute": [1, 51] },
      },
      coverage: [
        { region: "sa-east-1", service: "ec2", api: "DescribeInstances", status: "ok" },
        { region: "af-south-1", service: "ec2", api: "DescribeInstances", status: "skipped", reason: "not-opted-in" },
      ],
    });
    const narrowed = restrictToRegions(snapshot, ["eu-west-1"]);
    expect(narrowed.instances.map((i) => i.region)).toEqual(["eu-west-1"]);
    expect(Object.keys(narrowed.metrics.byInstance)).toEqual(["i-0a1b2c3d4e5f60718"]);
    expect(Object.keys(narrowed.costs?.byRegion ?? {}).sort()).toEqual(["NoRegion", "eu-west-1"]);
    expect(narrowed.costs?.byService).toEqual(snapshot.costs?.byService);
    const sa = narrowed.coverage.filter((c) => c.region === "sa-east-1");
    expect(sa).toEqual([expect.objectContaining({ status: "skipped", reason: "not-requested" })]);
    // Not opted in stays the reason for a region that could not run anything anyway.
    expect(narrowed.coverage.filter((c) => c.region === "af-south-1").map((c) => c.reason)).toEqual(["not-opted-in"]);
    expect(AccountSnapshotSchema.safeParse(narrowed).success).toBe(true);
  });
});

describe("formatSnapshotJson", () => {
  it("round-trips and keeps metric arrays on one line", () => {
    const snapshot = suspiciousSnapshot();
    const text = formatSnapshotJson(snapshot);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(snapshot)));
    expect(text).toContain(`"values": [${Array.from({ length: 48 }, () => 12).join(",")}]`);
    expect(text.split("\n").length).toBeLessThan(400);
  });
});

// ---------------------------------------------------------------------------------------------
// Live runs against mocked AWS.

const HOUR = 3600 * 1000;

function ec2Instance(id: string, type: _InstanceType, launch: Date, keyName = "ops-2025"): Ec2Instance {
  return {
    InstanceId: id,
    InstanceType: type,
    LaunchTime: launch,
    State: { Code: 16, Name: "running" },
    ImageId: "ami-0c1bea58988a98915",
    KeyName: keyName,
    Tags: [{ Key: "Name", Value: id }],
  };
}

const LIVE_INSTANCES: Record<string, Ec2Instance[]> = {
  "eu-west-1": [ec2Instance("i-0a1b2c3d4e5f60718", "t3.medium", new Date(NOW.getTime() - 60 * 24 * HOUR))],
  "sa-east-1": Array.from({ length: 6 }, (_, k) =>
    ec2Instance(
      `i-0f9e8d7c6b5a4031${k}`,
      "p3.16xlarge",
      new Date(NOW.getTime() - 3 * HOUR + k * 60 * 1000),
      "attacker-key",
    ),
  ),
  "us-east-1": [],
};

const INSTANCE_TYPES = {
  "t3.medium": { InstanceType: "t3.medium" as const, VCpuInfo: { DefaultVCpus: 2 }, MemoryInfo: { SizeInMiB: 4096 } },
  "p3.16xlarge": {
    InstanceType: "p3.16xlarge" as const,
    VCpuInfo: { DefaultVCpus: 64 },
    MemoryInfo: { SizeInMiB: 499712 },
    GpuInfo: { Gpus: [{ Count: 8, Name: "V100", Manufacturer: "NVIDIA" }] },
  },
};

async function clientRegion(getClient: () => { config: { region: unknown } }): Promise<string> {
  const region = getClient().config.region;
  return typeof region === "function" ? await (region as () => Promise<string>)() : String(region);
}

function mockAws() {
  const sts = mockClient(STSClient);
  const ec2 = mockClient(EC2Client);
  const cw = mockClient(CloudWatchClient);
  const ce = mockClient(CostExplorerClient);
  sts.on(GetCallerIdentityCommand).resolves({ Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/r" });
  ec2.on(DescribeRegionsCommand).resolves({
    Regions: [
      { RegionName: "eu-west-1", OptInStatus: "opt-in-not-required" },
      { RegionName: "sa-east-1", OptInStatus: "opt-in-not-required" },
      { RegionName: "us-east-1", OptInStatus: "opt-in-not-required" },
      { RegionName: "me-south-1", OptInStatus: "not-opted-in" },
    ],
  });
  ec2.on(DescribeInstancesCommand).callsFake(async (_input, getClient) => {
    const region = await clientRegion(getClient);
    return { Reservations: [{ Instances: LIVE_INSTANCES[region] ?? [] }] };
  });
  ec2.on(DescribeInstanceTypesCommand).callsFake(async (input: { InstanceTypes?: string[] }) => ({
    InstanceTypes: (input.InstanceTypes ?? []).flatMap((t) =>
      t in INSTANCE_TYPES ? [INSTANCE_TYPES[t as keyof typeof INSTANCE_TYPES]] : [],
    ),
  }));
  ec2.on(DescribeInstanceAttributeCommand).resolves({ UserData: {} });
  cw.on(ListMetricsCommand).resolves({ Metrics: [] });
  cw.on(GetMetricDataCommand).callsFake(
    async (input: {
      StartTime: Date;
      EndTime: Date;
      MetricDataQueries: { Id: string; MetricStat?: { Metric?: { MetricName?: string } } }[];
    }) => {
      const timestamps: Date[] = [];
      for (let t = input.StartTime.getTime(); t < input.EndTime.getTime(); t += HOUR) timestamps.push(new Date(t));
      return {
        MetricDataResults: input.MetricDataQueries.map((q) => ({
          Id: q.Id,
          StatusCode: "Complete",
          Timestamps: timestamps,
          Values: timestamps.map(() => (q.MetricStat?.Metric?.MetricName === "CPUUtilization" ? 99 : 1000)),
        })),
      };
    },
  );
  ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
  ce.on(GetAnomaliesCommand).resolves({ Anomalies: [] });
  // Services the section collectors read (CloudTrail, GuardDuty, ECS, ...): an empty account.
  const quiet = [
    mockClient(CloudTrailClient),
    mockClient(GuardDutyClient),
    mockClient(ECSClient),
    mockClient(LambdaClient),
    mockClient(SageMakerClient),
    mockClient(CodeBuildClient),
    mockClient(AmplifyClient),
    mockClient(AutoScalingClient),
    mockClient(S3Client),
    mockClient(CloudFrontClient),
  ];
  for (const mock of quiet) (mock as unknown as ReturnType<typeof mockClient>).onAnyCommand().resolves({});
  return { sts, ec2, cw, ce, ...Object.fromEntries(quiet.map((mock, i) => [`section${i}`, mock])) };
}

describe("audit (live, mocked AWS)", () => {
  let mocks: ReturnType<typeof mockAws>;
  let connections: number;

  beforeEach(() => {
    mocks = mockAws();
    connections = 0;
    // Any real network attempt (HTTP, HTTPS, metadata service) opens a socket: fail it loudly.
    vi.spyOn(Socket.prototype, "connect").mockImplementation(function (this: Socket) {
      connections += 1;
      throw new Error("a test tried to open a network connection");
    });
  });
  afterEach(() => {
    for (const mock of Object.values(mocks)) mock.restore();
    vi.restoreAllMocks();
  });

  const clients = () =>
    createClientFactory({ credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "test-secret" } });

  it("collects through the injected clients only, reports progress, and makes no network call", async () => {
    const { code, stdout, stderr } = await run(["audit", "--format", "json", "--lookback", "24h"], {
      clients: clients(),
    });
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(code).toBe(0);
    expect(connections).toBe(0);
    expect(mocks.sts).toHaveReceivedCommand(GetCallerIdentityCommand);
    expect(mocks.ec2).toHaveReceivedCommandWith(DescribeRegionsCommand, { AllRegions: true });
    const report = parseReport(stdout);
    expect(report.window).toEqual({ start: new Date(NOW.getTime() - 24 * HOUR).toISOString(), end: NOW.toISOString() });
    expect(report.findings.some((f) => f.regions.includes("sa-east-1"))).toBe(true);
    expect(stderr).toContain("Account 123456789012");
  });

  it("--quiet suppresses the progress lines", async () => {
    const { code, stderr } = await run(["audit", "--quiet", "--format", "json"], { clients: clients() });
    expect(code).toBe(0);
    expect(stderr).not.toContain("Account 123456789012");
  });

  it("--regions limits the regions read", async () => {
    const { code, stdout } = await run(["audit", "--regions", "eu-west-1", "--format", "json"], {
      clients: clients(),
    });
    expect(code).toBe(0);
    const report = parseReport(stdout);
    expect(report.findings.filter((f) => f.regions.includes("sa-east-1"))).toEqual([]);
    expect(report.coverage.complete).toBe(false);
  });

  it("--save writes a snapshot that --snapshot replays offline to the same findings", async () => {
    const saved = join(dir, "incident.json");
    const live = await run(["audit", "--save", saved, "--format", "json", "--fail-on", "high"], {
      clients: clients(),
    });
    // The threshold fails the run, and the snapshot is saved anyway.
    expect(live.code).toBe(1);
    expect(live.stderr).toContain(`snapshot saved to ${saved}`);
    expect((await readdir(dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    const liveReport = parseReport(live.stdout);
    expect(liveReport.findings.length).toBeGreaterThan(0);

    const snapshotText = await readFile(saved, "utf8");
    expect(AccountSnapshotSchema.parse(JSON.parse(snapshotText)).accountId).toBe("123456789012");

    for (const mock of Object.values(mocks)) mock.reset();
    const offline = await run(["audit", "--snapshot", saved, "--format", "json"]);
    expect(offline.code).toBe(0);
    expect(mocks.sts).not.toHaveReceivedAnyCommand();
    expect(mocks.ec2).not.toHaveReceivedAnyCommand();
    const offlineReport = parseReport(offline.stdout);
    expect(offlineReport.findings.map((f) => f.id)).toEqual(liveReport.findings.map((f) => f.id));
    expect(offlineReport.findings.map((f) => f.severity)).toEqual(liveReport.findings.map((f) => f.severity));
  });

  it("an explicit --start/--end window is passed to the collectors", async () => {
    const { code, stdout } = await run(
      ["audit", "--start", "2026-03-08T00:00:00Z", "--end", "2026-03-09T00:00:00Z", "--format", "json", "--quiet"],
      { clients: clients() },
    );
    expect(code).toBe(0);
    expect(parseReport(stdout).window).toEqual({
      start: "2026-03-08T00:00:00.000Z",
      end: "2026-03-09T00:00:00.000Z",
    });
  });

  it("missing credentials exit 3 with how to configure them, and no stack trace", async () => {
    const error = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    mocks.sts.on(GetCallerIdentityCommand).rejects(error);
    const { code, stdout, stderr } = await run(["audit"], { clients: clients() });
    expect(code).toBe(3);
    expect(stdout).toBe("");
    expect(stderr).toContain("No AWS credentials were found");
    expect(stderr).toContain("AWS_PROFILE");
    expect(stderr).toContain("aws sts get-caller-identity");
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(mocks.ec2).not.toHaveReceivedAnyCommand();
  });

  it("expired credentials exit 3 and say the credentials were rejected", async () => {
    const error = Object.assign(new Error("The security token included in the request is expired"), {
      name: "ExpiredToken",
    });
    mocks.sts.on(GetCallerIdentityCommand).rejects(error);
    const { code, stderr } = await run(["audit", "--quiet"], { clients: clients() });
    expect(code).toBe(3);
    expect(stderr).toContain("AWS rejected the credentials");
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it("a failure listing regions exits 3 with the AWS error, and no stack trace", async () => {
    mocks.ec2
      .on(DescribeRegionsCommand)
      .rejects(Object.assign(new Error("You are not authorized"), { name: "UnauthorizedOperation" }));
    const { code, stderr } = await run(["audit", "--quiet"], { clients: clients() });
    expect(code).toBe(3);
    expect(stderr).toContain("UnauthorizedOperation");
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it("MINEWATCH_DEBUG=1 adds the stack for a bug report", async () => {
    mocks.ec2.on(DescribeRegionsCommand).rejects(new Error("boom"));
    const { code, stderr } = await run(["audit", "--quiet"], { clients: clients(), env: { MINEWATCH_DEBUG: "1" } });
    expect(code).toBe(3);
    expect(stderr).toMatch(STACK_FRAME);
  });
});

describe("describeFailure", () => {
  const named = (name: string, message: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(message), { name, ...extra });

  it.each([
    { error: new UserInputError("bad file"), exitCode: 2, says: "bad file" },
    {
      error: new Error("Cannot identify the AWS account", { cause: named("CredentialsProviderError", "none") }),
      exitCode: 3,
      says: "No AWS credentials were found",
    },
    { error: named("InvalidClientTokenId", "token invalid"), exitCode: 3, says: "AWS rejected the credentials" },
    {
      error: new Error("request failed", { cause: named("Error", "getaddrinfo ENOTFOUND", { code: "ENOTFOUND" }) }),
      exitCode: 3,
      says: "Could not reach AWS (ENOTFOUND",
    },
    { error: new TypeError("x is undefined"), exitCode: 3, says: "TypeError: x is undefined" },
  ])("$says -> exit $exitCode", ({ error, exitCode, says }) => {
    const failure = describeFailure(error);
    expect(failure.exitCode).toBe(exitCode);
    expect(failure.message).toContain(says);
    expect(failure.message).not.toContain("\n");
  });
});
