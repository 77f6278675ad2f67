/**
 * What matters in the deployed stack: least-privilege IAM, encryption and SSL, the schedule, the
 * function's environment typed from the handler's schema, alarms wired to the topic, log retention.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { AUDIT_ENV } from "../../lambda/handlers/environment.js";
import { AUDIT_READ_PERMISSIONS, WEB_SCAN_OBJECT_READS } from "../../lib/audit-permissions.js";
import { type Synthesized, synthesize } from "./synth.js";

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

function auditRoleStatements(synth: Synthesized): Statement[] {
  const policies = synth.template.findResources("AWS::IAM::Policy");
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}

const asList = (action: string | string[]): string[] => (Array.isArray(action) ? action : [action]);

describe("Minewatch stack", () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize(
      { emails: "secops@example.com,oncall@example.com", dailyAt: "07:30", timeZone: "Europe/Berlin" },
      { bundle: true },
    );
    // Bundling with esbuild takes up to a minute on a busy 2-core machine.
  }, 300_000);

  it("bundles the handler offline with the local esbuild (ESM, source maps, SDK clients included)", () => {
    const assets = readdirSync(synth.outdir).filter((name) => name.startsWith("asset."));
    const bundle = assets.map((dir) => join(synth.outdir, dir)).find((dir) => existsSync(join(dir, "index.mjs")));
    expect(bundle, `an asset folder with index.mjs among ${assets.join(", ")}`).toBeDefined();
    expect(existsSync(join(bundle as string, "index.mjs.map"))).toBe(true);
    const code = readFileSync(join(bundle as string, "index.mjs"), "utf8");
    // The SDK is bundled, not taken from the runtime: the EC2 commands are in the code.
    expect(code).toMatch(/DescribeInstances/);
  });

  it("runs the audit on Node.js 22 or newer, arm64, with JSON logs kept 90 days", () => {
    synth.template.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: Match.stringLikeRegexp("^nodejs(2[2-9]|[3-9]\\d)\\.x$"),
      Architectures: ["arm64"],
      Timeout: 600,
      LoggingConfig: Match.objectLike({ LogFormat: "JSON" }),
    });
    synth.template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 90 });
  });

  it("gives the function exactly the environment the handler validates", () => {
    const functions = synth.template.findResources("AWS::Lambda::Function");
    const audit = Object.values(functions).find((f) =>
      JSON.stringify(f).includes("Minewatch: audits this account"),
    ) as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    const keys = Object.keys(audit.Properties.Environment.Variables).filter((k) => k !== "NODE_OPTIONS");
    const required = [AUDIT_ENV.TOPIC_ARN, AUDIT_ENV.REPORT_BUCKET, AUDIT_ENV.STATE_TABLE];
    for (const key of required) expect(keys).toContain(key);
    for (const key of keys) expect(Object.values(AUDIT_ENV)).toContain(key);
  });

  it("encrypts the findings topic with a rotated customer-managed key and refuses non-SSL publishing", () => {
    synth.template.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
    synth.template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
    synth.template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
    synth.template.resourceCountIs("AWS::SNS::Subscription", 2);
    synth.template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "secops@example.com",
    });
  });

  it("keeps reports encrypted, private, SSL-only and aged out by a lifecycle rule", () => {
    synth.template.hasResourceProperties("AWS::S3::Bucket", {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.anyValue() })],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Status: "Enabled", ExpirationInDays: 400 })]),
      },
    });
    synth.template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("keeps state in an encrypted table with point-in-time recovery and TTL", () => {
    synth.template.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
  });

  it("schedules the daily digest at the configured time zone and an hourly sweep", () => {
    synth.template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "cron(30 07 * * ? *)",
      ScheduleExpressionTimezone: "Europe/Berlin",
      Target: Match.objectLike({ Input: JSON.stringify({ mode: "daily" }) }),
    });
    synth.template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "rate(1 hour)",
      Target: Match.objectLike({ Input: JSON.stringify({ mode: "sweep" }) }),
    });
  });

  it("turns the sweep off with sweepEveryMinutes=0 and rejects a bad time with a sentence", () => {
    const noSweep = synthesize({ sweepEveryMinutes: "0" });
    noSweep.template.resourceCountIs("AWS::Scheduler::Schedule", 1);
    expect(() => synthesize({ dailyAt: "7am" })).toThrow(/dailyAt: a time as HH:MM/);
    expect(() => synthesize({ minewatch: "{not json" })).toThrow(/-c minewatch \(JSON\) is not valid JSON/);
  });

  it("rejects at synth a config too long for the function's 4 KB environment, and takes a long but fitting one", () => {
    const entry = (n: number) => ({
      reason: `Nightly model training for research team number ${n}, approved by the platform owner`,
      principal: `arn:aws:iam::123456789012:role/ml-training-pipeline-${n}`,
    });
    const many = JSON.stringify({ allowlist: Array.from({ length: 30 }, (_, n) => entry(n)) });
    expect(() => synthesize({ minewatch: many })).toThrow(
      /The Minewatch config is \d+ bytes as JSON, more than the 3072 bytes .* the allowlist has 30 entries/,
    );
    const fitting = JSON.stringify({ allowlist: Array.from({ length: 10 }, (_, n) => entry(n)) });
    const functions = synthesize({ minewatch: fitting }).template.findResources("AWS::Lambda::Function");
    const variables = Object.values(functions).map(
      (f) =>
        (f as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment
          ?.Variables,
    );
    const config = variables.map((v) => v?.[AUDIT_ENV.MINEWATCH_CONFIG]).find((v) => typeof v === "string") as string;
    expect(JSON.parse(config).allowlist).toHaveLength(10);
  });

  it("wires every alarm (errors, throttles, near-timeout, no run) to the findings topic", () => {
    const alarms = Object.values(synth.template.findResources("AWS::CloudWatch::Alarm")) as Array<{
      Properties: { MetricName: string; AlarmActions: unknown[] };
    }>;
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual([
      "Duration",
      "Errors",
      "Invocations",
      "Throttles",
    ]);
    const topicRef = { Ref: synth.stack.getLogicalId(synth.stack.findings.topic.node.defaultChild as never) };
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
  });

  it("allows no write action outside Minewatch's own topic, key, bucket and table", () => {
    const reads = new Set<string>([
      ...AUDIT_READ_PERMISSIONS.flatMap((p) => p.actions),
      ...WEB_SCAN_OBJECT_READS.listActions,
      ...WEB_SCAN_OBJECT_READS.objectActions,
    ]);
    const readOnly = { test: (action: string) => reads.has(action) || action.startsWith("logs:") };
    const ownResourceIds = [
      synth.stack.findings.topic.node.defaultChild,
      synth.stack.findings.key.node.defaultChild,
      synth.stack.reports.bucket.node.defaultChild,
      synth.stack.state.table.node.defaultChild,
      // The scheduler's role invokes the audit function itself.
      synth.stack.auditFunction.function.node.defaultChild,
    ].map((c) => synth.stack.getLogicalId(c as never));
    const writes = auditRoleStatements(synth).filter(
      (s) => s.Effect === "Allow" && asList(s.Action).some((a) => !readOnly.test(a)),
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const statement of writes) {
      const resources = JSON.stringify(statement.Resource);
      expect(resources, `${JSON.stringify(statement.Action)} on ${resources}`).not.toBe('"*"');
      expect(
        ownResourceIds.some((id) => resources.includes(id)),
        `${JSON.stringify(statement.Action)} must target Minewatch's own resources, got ${resources}`,
      ).toBe(true);
    }
  });

  it("reads no S3 object but its own state files by default, and only the named buckets' objects when configured", () => {
    const grantsOf = (synthesized: Synthesized, action: string) =>
      auditRoleStatements(synthesized)
        .filter((s) => s.Effect === "Allow" && asList(s.Action).includes(action))
        .flatMap((s) => [s.Resource].flat())
        .map((r) => JSON.stringify(r));
    const ownBucket = (synthesized: Synthesized) =>
      synthesized.stack.getLogicalId(synthesized.stack.reports.bucket.node.defaultChild as never);
    // The function's memory between runs: the state folder of its own bucket, and a listing so a
    // missing file reads as 404, not 403.
    expect(grantsOf(synth, "s3:GetObject")).toEqual([expect.stringContaining("/reports/*/state/*")]);
    expect(grantsOf(synth, "s3:GetObject")[0]).toContain(ownBucket(synth));
    expect(grantsOf(synth, "s3:ListBucket")).toEqual([expect.stringContaining(ownBucket(synth))]);

    const named = synthesize({ webScanBuckets: "www.example.com, docs.example.com" });
    const isOwn = (grant: string) => grant.includes(ownBucket(named));
    const objectGrants = grantsOf(named, "s3:GetObject").filter((g) => !isOwn(g));
    expect(objectGrants).toHaveLength(2);
    for (const [bucket, grant] of [
      ["www.example.com", objectGrants[0]],
      ["docs.example.com", objectGrants[1]],
    ]) {
      expect(grant).toContain(`:s3:::${bucket}/*`);
    }
    expect(objectGrants.join(" ")).not.toMatch(/s3:::\*/);
    expect(grantsOf(named, "s3:ListBucket").join(" ")).toContain(":s3:::www.example.com");
    // The function scans exactly the buckets it may read.
    const functions = named.template.findResources("AWS::Lambda::Function");
    const config = Object.values(functions)
      .map((f) => (f as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties)
      .map((p) => p.Environment?.Variables?.[AUDIT_ENV.MINEWATCH_CONFIG])
      .find((v) => typeof v === "string") as string;
    expect(JSON.parse(config).webScan).toMatchObject({
      enabled: true,
      buckets: ["www.example.com", "docs.example.com"],
    });

    const everySite = synthesize({ webScanAllWebsiteBuckets: "true" });
    expect(grantsOf(everySite, "s3:GetObject").filter((g) => !g.includes(ownBucket(everySite)))).toEqual([
      expect.stringContaining(":s3:::*/*"),
    ]);
  });
});
