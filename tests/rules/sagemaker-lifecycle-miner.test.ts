import { describe, expect, it } from "vitest";
import type { AccountSnapshotInput } from "../../lambda/core/snapshot.js";
import { sagemakerLifecycleMiner } from "../../lambda/rules/sagemaker-lifecycle-miner.js";
import type { Severity } from "../../lambda/rules/types.js";
import { buildSnapshot, hoursAgo, ruleContext } from "../support/snapshot-builder.js";
import { BENIGN_SCRIPT, lifecycleConfig, MINER_SCRIPT, notebook, WEAK_SCRIPT } from "./managed-fixtures.js";

function run(managedCompute: AccountSnapshotInput["managedCompute"]) {
  const snapshot = buildSnapshot({ managedCompute });
  return sagemakerLifecycleMiner.evaluate(snapshot, ruleContext(snapshot));
}

describe("MW-SAGEMAKER-LIFECYCLE-MINER", () => {
  const cases: { name: string; managedCompute: AccountSnapshotInput["managedCompute"]; expected: Severity[] }[] = [
    {
      name: "fires critical: an OnStart script that runs XMRig against a pool, attached to a notebook",
      managedCompute: {
        notebookInstances: [notebook({ lifecycleConfigName: "setup" })],
        notebookLifecycleConfigs: [lifecycleConfig("setup", { onStart: MINER_SCRIPT })],
      },
      expected: ["critical"],
    },
    {
      name: "fires critical on an old notebook too: the script is the evidence, not the age",
      managedCompute: {
        notebookInstances: [notebook({ lifecycleConfigName: "setup", instanceType: "ml.t3.medium" })],
        notebookLifecycleConfigs: [lifecycleConfig("setup", { onCreate: MINER_SCRIPT, onStart: BENIGN_SCRIPT })],
      },
      expected: ["critical"],
    },
    {
      name: "fires medium: only a weak indicator (a cleanup script naming xmrig)",
      managedCompute: {
        notebookInstances: [notebook({ lifecycleConfigName: "cleanup" })],
        notebookLifecycleConfigs: [lifecycleConfig("cleanup", { onStart: WEAK_SCRIPT })],
      },
      expected: ["medium"],
    },
    {
      name: "fires low: a GPU notebook created in the window with a benign script",
      managedCompute: {
        notebookInstances: [
          notebook({ instanceType: "ml.p3.8xlarge", creationTime: hoursAgo(3), lifecycleConfigName: "pip" }),
        ],
        notebookLifecycleConfigs: [lifecycleConfig("pip", { onStart: BENIGN_SCRIPT })],
      },
      expected: ["low"],
    },
    {
      name: "fires low: a large compute notebook created in the window without any lifecycle config",
      managedCompute: { notebookInstances: [notebook({ instanceType: "ml.c5.9xlarge", creationTime: hoursAgo(3) })] },
      expected: ["low"],
    },
    {
      name: "quiet: a small notebook created in the window with a benign script",
      managedCompute: {
        notebookInstances: [notebook({ creationTime: hoursAgo(3), lifecycleConfigName: "pip" })],
        notebookLifecycleConfigs: [lifecycleConfig("pip", { onStart: BENIGN_SCRIPT })],
      },
      expected: [],
    },
    {
      name: "quiet: a GPU notebook the team has had for 40 days",
      managedCompute: { notebookInstances: [notebook({ instanceType: "ml.g5.xlarge" })] },
      expected: [],
    },
    {
      name: "quiet: a miner config in another region is not the notebook's config",
      managedCompute: {
        notebookInstances: [notebook({ lifecycleConfigName: "setup" })],
        notebookLifecycleConfigs: [lifecycleConfig("setup", { onStart: MINER_SCRIPT }, { region: "eu-west-1" })],
      },
      expected: [],
    },
    { name: "not applicable: managed compute not collected", managedCompute: undefined, expected: [] },
  ];

  it.each(cases)("$name", ({ managedCompute, expected }) => {
    expect(run(managedCompute).map((s) => s.severity)).toEqual(expected);
  });

  it("quotes only the matching lines, redacted, and names the notebook by ARN", () => {
    const [signal] = run({
      notebookInstances: [notebook({ lifecycleConfigName: "setup", roleArn: "arn:aws:iam::123456789012:role/sm" })],
      notebookLifecycleConfigs: [lifecycleConfig("setup", { onStart: MINER_SCRIPT })],
    });
    expect(signal?.resource).toEqual({
      type: "sagemaker-notebook",
      id: "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/lab-notebook",
      region: "us-east-1",
    });
    expect(signal?.message).toContain("stratum+tcp://pool.supportxmr.com:3333");
    expect(signal?.message).toContain("OnStart");
    expect(signal?.message).not.toContain("wJalrXUtnFEMI");
    expect(signal?.message).not.toContain("AWS_SECRET_ACCESS_KEY");
    expect(signal?.details).toMatchObject({ lifecycleConfig: "setup", hook: "OnStart", strength: "strong" });
  });

  it("says so when the lifecycle config of a new GPU notebook was not read (data missing)", () => {
    const [signal] = run({
      notebookInstances: [
        notebook({ instanceType: "ml.p3.2xlarge", creationTime: hoursAgo(2), lifecycleConfigName: "unread" }),
      ],
    });
    expect(signal?.severity).toBe("low");
    expect(signal?.message).toContain("was not read");
    expect(signal?.details?.lifecycleConfigRead).toBe(false);
  });
});
