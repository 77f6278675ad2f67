import { describe, expect, it } from "vitest";
import type { AccountSnapshotInput } from "../../lambda/core/snapshot.js";
import { codebuildMiner, MANY_BUILDS } from "../../lambda/rules/codebuild-miner.js";
import type { Severity } from "../../lambda/rules/types.js";
import { buildSnapshot, daysAgo, hoursAgo, ruleContext } from "../support/snapshot-builder.js";
import { BENIGN_BUILDSPEC, builds, MINER_BUILDSPEC, project, WEAK_SCRIPT } from "./managed-fixtures.js";

function run(managedCompute: AccountSnapshotInput["managedCompute"]) {
  const snapshot = buildSnapshot({ managedCompute });
  return codebuildMiner.evaluate(snapshot, ruleContext(snapshot));
}

const NEW_LARGEST = { name: "perf", computeType: "BUILD_GENERAL1_2XLARGE", created: hoursAgo(12) };

describe("MW-CODEBUILD-MINER", () => {
  const cases: { name: string; managedCompute: AccountSnapshotInput["managedCompute"]; expected: Severity[] }[] = [
    {
      name: "fires critical: an inline buildspec that runs XMRig against a pool",
      managedCompute: { codeBuildProjects: [project({ spec: MINER_BUILDSPEC })] },
      expected: ["critical"],
    },
    {
      name: "fires medium: a buildspec with a weak indicator only",
      managedCompute: { codeBuildProjects: [project({ spec: WEAK_SCRIPT })] },
      expected: ["medium"],
    },
    {
      name: "fires medium: a new 2XLARGE project running build after build, buildspec in the source",
      managedCompute: { codeBuildProjects: [project(NEW_LARGEST)], codeBuildBuilds: builds("perf", MANY_BUILDS) },
      expected: ["medium"],
    },
    {
      name: "fires medium: a new GPU project running many builds with a benign inline buildspec",
      managedCompute: {
        codeBuildProjects: [
          project({
            ...NEW_LARGEST,
            computeType: "BUILD_GENERAL1_LARGE",
            environmentType: "LINUX_GPU_CONTAINER",
            spec: BENIGN_BUILDSPEC,
          }),
        ],
        codeBuildBuilds: builds("perf", 8),
      },
      expected: ["medium"],
    },
    {
      name: "quiet: a new 2XLARGE project with a few builds",
      managedCompute: { codeBuildProjects: [project(NEW_LARGEST)], codeBuildBuilds: builds("perf", MANY_BUILDS - 1) },
      expected: [],
    },
    {
      name: "quiet: an old 2XLARGE project with many builds (the team's release pipeline)",
      managedCompute: {
        codeBuildProjects: [project({ ...NEW_LARGEST, created: daysAgo(200) })],
        codeBuildBuilds: builds("perf", 20),
      },
      expected: [],
    },
    {
      name: "quiet: builds of another region's project of the same name do not count",
      managedCompute: {
        codeBuildProjects: [project(NEW_LARGEST)],
        codeBuildBuilds: builds("perf", 10, { region: "eu-west-1" }),
      },
      expected: [],
    },
    {
      name: "quiet: an ordinary buildspec",
      managedCompute: { codeBuildProjects: [project({ spec: BENIGN_BUILDSPEC })] },
      expected: [],
    },
    { name: "not applicable: managed compute not collected", managedCompute: undefined, expected: [] },
  ];

  it.each(cases)("$name", ({ managedCompute, expected }) => {
    expect(run(managedCompute).map((s) => s.severity)).toEqual(expected);
  });

  it("names the project by ARN, quotes the pool line and lists the builds in the window", () => {
    const [signal] = run({
      codeBuildProjects: [project({ name: "miner", spec: MINER_BUILDSPEC })],
      codeBuildBuilds: builds("miner", 3),
    });
    expect(signal?.resource).toEqual({
      type: "codebuild-project",
      id: "arn:aws:codebuild:us-east-1:123456789012:project/miner",
      region: "us-east-1",
    });
    expect(signal?.message).toContain("pool.hashvault.pro");
    expect(signal?.message).toContain("3 builds started in the window");
    expect(signal?.details?.buildsInWindow).toBe(3);
    expect(signal?.details?.buildIds).toHaveLength(3);
  });
});
