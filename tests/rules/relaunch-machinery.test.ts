import { describe, expect, it } from "vitest";
import type { AccountSnapshotInput } from "../../lambda/core/snapshot.js";
import { relaunchMachinery } from "../../lambda/rules/relaunch-machinery.js";
import {
  buildSnapshot,
  daysAgo,
  hoursAgo,
  type InstanceInput,
  instance,
  instanceIdFor,
  ruleContext,
  userData,
} from "../support/snapshot-builder.js";
import { asg, BENIGN_SCRIPT, fleetOf, launchTemplate, MINER_SCRIPT, spotRequest } from "./managed-fixtures.js";

/** The account's web server in eu-west-1 makes eu-west-1 its home region. */
const HOME = instance();

function run(relaunch: AccountSnapshotInput["relaunch"], instances: InstanceInput[] = []) {
  const snapshot = buildSnapshot({ instances: [HOME, ...instances], relaunch });
  return relaunchMachinery.evaluate(snapshot, ruleContext(snapshot));
}

const worker = (n: number, overrides: Partial<InstanceInput> = {}) =>
  instance({
    instanceId: instanceIdFor(n),
    instanceType: "c5.9xlarge",
    launchTime: hoursAgo(7),
    tags: { "aws:autoscaling:groupName": "workers" },
    autoScalingGroup: "workers",
    ...overrides,
  });

describe("MW-RELAUNCH-MACHINERY", () => {
  const cases: {
    name: string;
    relaunch: AccountSnapshotInput["relaunch"];
    instances?: InstanceInput[];
    expected: string[];
  }[] = [
    {
      name: "fires: an ASG whose launch template user data runs a miner",
      relaunch: { autoScalingGroups: [asg()], launchTemplates: [launchTemplate({ script: MINER_SCRIPT })] },
      expected: ["autoscaling-group:workers:high"],
    },
    {
      name: "fires: an ASG whose instances are flagged elsewhere (miner user data on the instances)",
      relaunch: { autoScalingGroups: [asg({ instanceIds: [instanceIdFor(1)] })] },
      instances: [worker(1, { userData: userData(MINER_SCRIPT) })],
      expected: ["autoscaling-group:workers:high"],
    },
    {
      name: "fires: a persistent spot request for GPUs in a region the account does not use",
      relaunch: { spotRequests: [spotRequest({ region: "sa-east-1" })] },
      expected: ["spot-request:sir-0a1b2c3d:high"],
    },
    {
      name: "fires: a maintain-type EC2 fleet with a miner launch template",
      relaunch: {
        fleets: [fleetOf({ launchTemplateIds: ["lt-0123456789abcdef0"] })],
        launchTemplates: [launchTemplate({ script: MINER_SCRIPT })],
      },
      expected: ["ec2-fleet:fleet-0a1b2c3d-1111-2222-3333-444455556666:high"],
    },
    {
      name: "fires: a spot fleet whose own launch specification carries the miner",
      relaunch: {
        fleets: [
          fleetOf({
            id: "sfr-0a1b2c3d-aaaa-bbbb-cccc-ddddeeeeffff",
            kind: "spot-fleet",
            type: "request",
            userData: launchTemplate({ script: MINER_SCRIPT }).userData,
          }),
        ],
      },
      expected: ["spot-fleet:sfr-0a1b2c3d-aaaa-bbbb-cccc-ddddeeeeffff:high"],
    },
    {
      name: "quiet: an ASG in the home region with a benign template and unflagged instances",
      relaunch: {
        autoScalingGroups: [asg({ instanceIds: [instanceIdFor(1)] })],
        launchTemplates: [launchTemplate({ script: BENIGN_SCRIPT })],
      },
      instances: [worker(1)],
      expected: [],
    },
    {
      name: "quiet: a miner ASG created before the window (not new machinery; its instances speak for it)",
      relaunch: {
        autoScalingGroups: [asg({ createdTime: daysAgo(30) })],
        launchTemplates: [launchTemplate({ script: MINER_SCRIPT })],
      },
      expected: [],
    },
    {
      name: "quiet: a one-time spot request and a request-type EC2 fleet do not relaunch",
      relaunch: {
        spotRequests: [spotRequest({ region: "sa-east-1", type: "one-time" })],
        fleets: [fleetOf({ region: "sa-east-1", type: "request" })],
      },
      expected: [],
    },
    {
      name: "quiet: small types in a new region, nothing else",
      relaunch: { spotRequests: [spotRequest({ region: "sa-east-1", instanceType: "t3.micro" })] },
      expected: [],
    },
    {
      name: "data missing: the template's user data was not read, nothing else is suspicious",
      relaunch: { autoScalingGroups: [asg()], launchTemplates: [launchTemplate()] },
      expected: [],
    },
    { name: "not applicable: relaunch machinery not collected", relaunch: undefined, expected: [] },
  ];

  it.each(cases)("$name", ({ relaunch, instances, expected }) => {
    expect(run(relaunch, instances).map((s) => `${s.resource.type}:${s.resource.id}:${s.severity}`)).toEqual(expected);
  });

  it("lists the instances it owns (from the group and from the inventory) for correlation and containment", () => {
    const [signal] = run(
      {
        autoScalingGroups: [asg({ instanceIds: [instanceIdFor(1)] })],
        launchTemplates: [launchTemplate({ script: MINER_SCRIPT, disableApiTermination: true })],
      },
      [worker(1), worker(2, { terminationProtection: true, tags: {} })],
    );
    expect(signal?.resource).toEqual({ type: "autoscaling-group", id: "workers", region: "eu-west-1" });
    expect(signal?.details?.instanceIds).toEqual([instanceIdFor(1), instanceIdFor(2)]);
    expect(signal?.details?.flaggedInstanceIds).toEqual([instanceIdFor(2)]);
    expect(signal?.details?.flaggingRules).toEqual(["MW-EC2-TERMINATION-PROTECTION"]);
    expect(signal?.details?.templateDisablesTermination).toBe(true);
    expect(signal?.message).toContain("stratum+tcp://pool.supportxmr.com:3333");
    expect(signal?.message).not.toContain("wJalrXUtnFEMI");
  });
});
