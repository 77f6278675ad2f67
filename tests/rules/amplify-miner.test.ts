import { describe, expect, it } from "vitest";
import type { AccountSnapshotInput } from "../../lambda/core/snapshot.js";
import { amplifyMiner } from "../../lambda/rules/amplify-miner.js";
import type { Severity } from "../../lambda/rules/types.js";
import { buildSnapshot, ruleContext } from "../support/snapshot-builder.js";
import { amplifyApp, BENIGN_BUILDSPEC, MINER_BUILDSPEC, WEAK_SCRIPT } from "./managed-fixtures.js";

function run(managedCompute: AccountSnapshotInput["managedCompute"]) {
  const snapshot = buildSnapshot({ managedCompute });
  return amplifyMiner.evaluate(snapshot, ruleContext(snapshot));
}

describe("MW-AMPLIFY-MINER", () => {
  const cases: { name: string; managedCompute: AccountSnapshotInput["managedCompute"]; expected: Severity[] }[] = [
    {
      name: "fires critical: a buildSpec that runs a miner (AMBERSQUID)",
      managedCompute: { amplifyApps: [amplifyApp({ spec: MINER_BUILDSPEC })] },
      expected: ["critical"],
    },
    {
      name: "fires medium: a weak indicator only",
      managedCompute: { amplifyApps: [amplifyApp({ spec: WEAK_SCRIPT })] },
      expected: ["medium"],
    },
    {
      name: "quiet: an ordinary web build",
      managedCompute: { amplifyApps: [amplifyApp({ spec: BENIGN_BUILDSPEC })] },
      expected: [],
    },
    {
      name: "data missing: an app whose buildSpec lives in the repository is not judged",
      managedCompute: { amplifyApps: [amplifyApp()] },
      expected: [],
    },
    { name: "not applicable: managed compute not collected", managedCompute: undefined, expected: [] },
  ];

  it.each(cases)("$name", ({ managedCompute, expected }) => {
    expect(run(managedCompute).map((s) => s.severity)).toEqual(expected);
  });

  it("names the app by id and quotes the matched line only", () => {
    const [signal] = run({ amplifyApps: [amplifyApp({ spec: MINER_BUILDSPEC })] });
    expect(signal?.resource).toEqual({ type: "amplify-app", id: "d1a2b3c4d5e6f7", region: "us-east-1" });
    expect(signal?.message).toContain("pool.hashvault.pro");
    expect(signal?.message).not.toContain("npm");
    expect(signal?.message).not.toContain("phases:");
  });
});
