import { describe, expect, it } from "vitest";
import { ec2TerminationProtection } from "../../lambda/rules/ec2-termination-protection.js";
import type { Severity } from "../../lambda/rules/types.js";
import {
  buildSnapshot,
  daysAgo,
  hoursAgo,
  type InstanceInput,
  instance,
  ruleContext,
} from "../support/snapshot-builder.js";

function run(instances: InstanceInput[]) {
  const snapshot = buildSnapshot({ instances });
  return ec2TerminationProtection.evaluate(snapshot, ruleContext(snapshot));
}

const fresh = (overrides: Partial<InstanceInput>) =>
  instance({
    instanceType: "c5.9xlarge",
    launchTime: hoursAgo(3),
    tags: {},
    terminationProtection: true,
    ...overrides,
  });

describe("MW-EC2-TERMINATION-PROTECTION", () => {
  const cases: { name: string; instances: InstanceInput[]; expected: Severity[] }[] = [
    { name: "fires high: protected, launched in the window, no tags", instances: [fresh({})], expected: ["high"] },
    {
      name: "fires high: only a Name tag, plus the tags AWS sets itself",
      instances: [
        fresh({ tags: { Name: "worker", "aws:autoscaling:groupName": "workers", "aws:ec2launchtemplate:id": "lt-1" } }),
      ],
      expected: ["high"],
    },
    {
      name: "quiet: protected and tagged with an owner",
      instances: [fresh({ tags: { Name: "db", Owner: "data-team" } })],
      expected: [],
    },
    { name: "quiet: protected but launched long ago", instances: [fresh({ launchTime: daysAgo(90) })], expected: [] },
    { name: "quiet: protection off", instances: [fresh({ terminationProtection: false })], expected: [] },
    { name: "quiet: already terminated", instances: [fresh({ state: "terminated" })], expected: [] },
    {
      name: "data missing: protection not read (not selected for a look) is never a finding",
      instances: [fresh({ terminationProtection: undefined })],
      expected: [],
    },
    { name: "not applicable: no instances", instances: [], expected: [] },
  ];

  it.each(cases)("$name", ({ instances, expected }) => {
    expect(run(instances).map((s) => s.severity)).toEqual(expected);
  });

  it("says why it matters for the responder", () => {
    const [signal] = run([fresh({ autoScalingGroup: "workers" })]);
    expect(signal?.resource.type).toBe("ec2-instance");
    expect(signal?.message).toContain("termination protection on and no tags");
    expect(signal?.details).toMatchObject({ autoScalingGroup: "workers", ownerTags: [] });
  });
});
