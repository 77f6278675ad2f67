import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../lambda/core/config.js";
import { buildProfile } from "../../lambda/core/profile.js";
import type { AccountSnapshot } from "../../lambda/core/snapshot.js";
import { containmentSteps } from "../../lambda/correlate/containment.js";
import { correlate, type Incident, RULE } from "../../lambda/correlate/correlate.js";
import type { Severity, Signal } from "../../lambda/rules/types.js";
import { buildSnapshot, daysAgo, fleet, minutesAgo } from "../support/snapshot-builder.js";

function incidentsFor(snapshot: AccountSnapshot, ruleIds: string[], severity: Severity = "high"): Incident[] {
  const signals: Signal[] = snapshot.instances.flatMap((i) =>
    ruleIds.map((ruleId) => ({
      ruleId,
      resource: { type: "ec2-instance", id: i.instanceId, region: i.region },
      severity,
      message: `${ruleId} on ${i.instanceId}`,
      ...(ruleId === RULE.launchWave ? { details: { waveId: "wave-1" } } : {}),
    })),
  );
  return correlate({ signals, snapshot, profile: buildProfile(snapshot, ConfigSchema.parse({})) });
}

function only(incidents: Incident[]): Incident {
  expect(incidents).toHaveLength(1);
  const [incident] = incidents;
  if (!incident) throw new Error("no incident");
  return incident;
}

const leakedKeyFleet = () =>
  buildSnapshot({
    instances: [
      ...fleet(2, { region: "sa-east-1", instanceType: "p3.16xlarge", launchTime: minutesAgo(120) }, { firstIndex: 1 }),
      ...fleet(
        3,
        { region: "ap-south-1", instanceType: "p3.16xlarge", launchTime: minutesAgo(118) },
        { firstIndex: 3 },
      ),
    ],
  });

describe("containment for leaked-key incidents", () => {
  it("without attribution: find who launched it, deactivate the key (placeholders), keep evidence, stop, then terminate", () => {
    const snapshot = leakedKeyFleet();
    const steps = containmentSteps(only(incidentsFor(snapshot, [RULE.unusedRegion, RULE.launchWave])), snapshot.window);
    const commands = steps.map((s) => s.command);
    expect(commands[0]).toContain("aws cloudtrail lookup-events --region ap-south-1");
    expect(commands[0]).toContain("aws cloudtrail lookup-events --region sa-east-1");
    expect(commands[0]).toMatch(/AttributeKey=ResourceName,AttributeValue=i-[0-9a-f]+/);
    expect(commands[1]).toBe(
      "aws iam update-access-key --user-name <USER> --access-key-id <ACCESS_KEY_ID> --status Inactive",
    );
    expect(commands[2]).toContain("aws ec2 create-snapshots");
    expect(commands[3]).toMatch(
      /^aws ec2 stop-instances --region ap-south-1 --instance-ids( i-[0-9a-f]+){3}\naws ec2 stop-instances --region sa-east-1 --instance-ids( i-[0-9a-f]+){2}$/,
    );
    expect(commands[4]).toContain("CreateAccessKey");
    expect(commands[5]).toContain("aws ec2 terminate-instances --region sa-east-1");
    expect(steps[5]?.description).toMatch(/after the snapshots/);
    expect(steps.map((s) => s.description.split(".")[0])).toEqual(["1", "2", "3", "4", "5", "6"]);
    expect(commands.join("\n")).not.toContain("delete-access-key");
  });

  it("scales an Auto Scaling group to zero before stopping its instances", () => {
    const snapshot = buildSnapshot({
      instances: fleet(3, {
        region: "eu-north-1",
        instanceType: "c5.4xlarge",
        autoScalingGroup: "xmr asg",
        launchTime: minutesAgo(60),
      }),
    });
    const steps = containmentSteps(only(incidentsFor(snapshot, [RULE.unusedRegion])), snapshot.window);
    const asgIndex = steps.findIndex((s) => s.command.includes("update-auto-scaling-group"));
    const stopIndex = steps.findIndex((s) => s.command.includes("stop-instances"));
    expect(asgIndex).toBeGreaterThan(0);
    expect(asgIndex).toBeLessThan(stopIndex);
    expect(steps[asgIndex]?.command).toBe(
      "aws autoscaling update-auto-scaling-group --region eu-north-1 --auto-scaling-group-name 'xmr asg' --min-size 0 --max-size 0 --desired-capacity 0",
    );
  });

  it("keeps commands short for a large fleet: one stop command per region", () => {
    const snapshot = buildSnapshot({
      instances: fleet(60, { region: "us-west-1", instanceType: "c5a.24xlarge", launchTime: minutesAgo(30) }),
    });
    const steps = containmentSteps(only(incidentsFor(snapshot, [RULE.unusedRegion])), snapshot.window);
    const stop = steps.find((s) => s.command.includes("stop-instances"))?.command ?? "";
    expect(stop.match(/aws ec2 stop-instances/g)).toHaveLength(1);
    expect(stop).toMatch(
      /^IDS="(i-[0-9a-f]+ ){59}i-[0-9a-f]+"\naws ec2 stop-instances --region us-west-1 --instance-ids \$IDS$/,
    );
    const snapshotStep = steps.find((s) => s.command.includes("create-snapshots"))?.command ?? "";
    expect(snapshotStep.split("\n")).toHaveLength(1);
    expect(snapshotStep).toMatch(
      /^for id in .+; do aws ec2 create-snapshots --region us-west-1 --instance-specification InstanceId=\$id /,
    );
  });

  it("mentions spot instances, which cannot be stopped", () => {
    const snapshot = buildSnapshot({
      instances: fleet(2, {
        region: "sa-east-1",
        instanceType: "g5.xlarge",
        lifecycle: "spot",
        launchTime: minutesAgo(30),
      }),
    });
    const steps = containmentSteps(only(incidentsFor(snapshot, [RULE.unusedRegion])), snapshot.window);
    expect(steps.find((s) => s.command.includes("stop-instances"))?.description).toMatch(/2 of the instances are spot/);
  });
});

describe("containment for other incidents", () => {
  it("inspects, keeps evidence and rotates the workload's credentials for existing compute", () => {
    const snapshot = buildSnapshot({
      instances: fleet(3, {
        region: "us-east-1",
        instanceType: "m5.xlarge",
        launchTime: daysAgo(200),
        tags: { Name: "k8s-node" },
      }),
    });
    const incident = only(incidentsFor(snapshot, [RULE.cpuFlatShift], "medium"));
    expect(incident.kind).toBe("existing-compute");
    const steps = containmentSteps(incident, snapshot.window);
    expect(steps[0]?.command).toMatch(
      /^aws ssm send-command --region us-east-1 --document-name AWS-RunShellScript .*ps -eo/,
    );
    expect(steps[1]?.command).toContain("create-snapshots");
    expect(steps.at(-1)?.description).toMatch(/Rotate the workload's credentials/);
    expect(steps.map((s) => s.command).join("\n")).not.toContain("terminate-instances");
  });

  it("points cost-only findings at Cost Explorer and the region's compute", () => {
    const snapshot = buildSnapshot();
    const signal: Signal = {
      ruleId: RULE.costNewSpend,
      resource: { type: "region-spend", id: "ap-northeast-1", region: "ap-northeast-1" },
      severity: "medium",
      message: "New spend of $240/day in ap-northeast-1.",
    };
    const [incident] = correlate({
      signals: [signal],
      snapshot,
      profile: buildProfile(snapshot, ConfigSchema.parse({})),
    });
    if (!incident) throw new Error("no incident");
    const steps = containmentSteps(incident, snapshot.window);
    expect(steps[0]?.command).toContain(
      "aws ce get-cost-and-usage --region us-east-1 --time-period Start=2026-03-02,End=2026-03-11",
    );
    expect(steps[0]?.command).toContain('"Values":["ap-northeast-1"]');
    expect(steps[1]?.command).toContain("aws ec2 describe-instances --region ap-northeast-1");
  });
});
