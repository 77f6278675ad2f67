/**
 * Cross-checks the audit role's read permissions with the AWS calls the collectors make.
 *
 * Every SDK command (or paginator) imported by a collector must be allowed by the synthesized
 * policy, and every read permission in the policy must be used by some collector: a collector that
 * starts calling a new API fails here until lib/audit-permissions.ts grants it, and no permission
 * outlives the code that needed it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { AUDIT_READ_PERMISSIONS } from "../../lib/audit-permissions.js";
import { PROJECT_ROOT } from "../../lib/paths.js";
import { type Synthesized, synthesize } from "./synth.js";

/** SDK client package -> IAM service prefix. */
const IAM_PREFIX: Record<string, string> = {
  "client-ec2": "ec2",
  "client-cloudwatch": "cloudwatch",
  "client-cost-explorer": "ce",
  "client-sts": "sts",
  "client-cloudtrail": "cloudtrail",
  "client-guardduty": "guardduty",
  "client-ecs": "ecs",
  "client-sagemaker": "sagemaker",
  "client-codebuild": "codebuild",
  "client-amplify": "amplify",
  "client-lambda": "lambda",
  "client-auto-scaling": "autoscaling",
  "client-organizations": "organizations",
  "client-s3": "s3",
  "client-cloudfront": "cloudfront",
};

/** SDK operations whose IAM action has another name. */
const IAM_ACTION_OF: Record<string, string> = {
  "s3:ListBuckets": "s3:ListAllMyBuckets",
  "s3:ListObjectsV2": "s3:ListBucket",
};

/** Calls that need no IAM permission. */
const NO_PERMISSION_NEEDED = new Set(["sts:GetCallerIdentity"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

/** IAM actions implied by the SDK commands and paginators each collector imports. */
function collectorActions(): Map<string, string[]> {
  const actions = new Map<string, string[]>();
  const importPattern = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"@aws-sdk\/(client-[a-z0-9-]+)"/g;
  for (const file of sourceFiles(join(PROJECT_ROOT, "lambda", "collect"))) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(importPattern)) {
      const prefix = IAM_PREFIX[match[2] ?? ""];
      if (!prefix) throw new Error(`${file}: no IAM prefix known for @aws-sdk/${match[2]}; add it to IAM_PREFIX`);
      for (const raw of (match[1] ?? "").split(",")) {
        const name =
          raw
            .trim()
            .replace(/^type\s+/, "")
            .split(/\s+as\s+/)[0] ?? "";
        const api = name.endsWith("Command")
          ? name.slice(0, -"Command".length)
          : name.startsWith("paginate")
            ? name.slice("paginate".length)
            : undefined;
        if (!api) continue;
        const sdkAction = `${prefix}:${api}`;
        const action = IAM_ACTION_OF[sdkAction] ?? sdkAction;
        actions.set(action, [...(actions.get(action) ?? []), file.slice(PROJECT_ROOT.length)]);
      }
    }
  }
  return actions;
}

function allowedActions(synth: Synthesized): Set<string> {
  const policies = synth.template.findResources("AWS::IAM::Policy");
  const allowed = new Set<string>();
  for (const policy of Object.values(policies)) {
    const statements = (
      policy as { Properties: { PolicyDocument: { Statement: Array<{ Effect: string; Action: string | string[] }> } } }
    ).Properties.PolicyDocument.Statement;
    for (const s of statements) if (s.Effect === "Allow") for (const a of [s.Action].flat()) allowed.add(a);
  }
  return allowed;
}

describe("audit role permissions", () => {
  let synth: Synthesized;
  beforeAll(() => {
    // With the opt-in web scan configured, so its object reads (granted only then) are in the policy.
    synth = synthesize({ webScanBuckets: "www.example.com" });
  });

  it("finds the collectors' AWS calls", () => {
    const used = collectorActions();
    // The core collectors: if these disappear the scan itself is broken.
    for (const action of ["ec2:DescribeInstances", "cloudwatch:GetMetricData", "ce:GetCostAndUsage"]) {
      expect([...used.keys()]).toContain(action);
    }
  });

  it("allows every call a collector makes", () => {
    const allowed = allowedActions(synth);
    const missing = [...collectorActions()]
      .filter(([action]) => !NO_PERMISSION_NEEDED.has(action) && !allowed.has(action))
      .map(([action, files]) => `${action} (used in ${files.join(", ")})`);
    expect(missing).toEqual([]);
  });

  it("grants no read permission that no collector uses", () => {
    const used = new Set(collectorActions().keys());
    const unused = AUDIT_READ_PERMISSIONS.flatMap((p) => p.actions).filter((action) => !used.has(action));
    expect(unused).toEqual([]);
  });
});

describe("the audit read permissions", () => {
  it("hold only read actions, so nothing written there can pass as a read elsewhere", () => {
    const readVerb = /^[a-z0-9-]+:(Describe|Get|List|BatchGet|LookupEvents)/;
    const notReads = AUDIT_READ_PERMISSIONS.flatMap((p) => p.actions).filter((action) => !readVerb.test(action));
    expect(notReads).toEqual([]);
  });
});
