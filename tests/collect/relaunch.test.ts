import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import {
  DescribeFleetsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSpotFleetRequestsCommand,
  DescribeSpotInstanceRequestsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { CoverageRecorder } from "../../lambda/collect/coverage.js";
import {
  collectRelaunchRegion,
  LAUNCH_TEMPLATE_VERSIONS_CAP,
  RELAUNCH_LIST_CAP,
  relaunchCollector,
} from "../../lambda/collect/relaunch.js";
import { ConfigSchema } from "../../lambda/core/config.js";
import { RelaunchSchema } from "../../lambda/core/sections/relaunch.js";
import type { Instance } from "../../lambda/core/snapshot.js";
import { fakeClientFactory } from "../support/fake-clients.js";

const REGION = "eu-west-1";
const WINDOW_END = new Date("2026-03-10T06:00:00.000Z");
const WINDOW = { start: new Date(WINDOW_END.getTime() - 24 * 3600 * 1000), end: WINDOW_END };
const hoursAgo = (h: number) => new Date(WINDOW_END.getTime() - h * 3600 * 1000);
const b64 = (text: string) => Buffer.from(text).toString("base64");
const MINER =
  "#!/bin/bash\nexport AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n./xmrig -o stratum+tcp://pool.supportxmr.com:3333";

let ec2: EC2Client;
let autoScaling: AutoScalingClient;
let ec2Mock: AwsClientStub<EC2Client>;
let asMock: AwsClientStub<AutoScalingClient>;
let coverage: CoverageRecorder;

function run(instances: Instance[] = []) {
  return collectRelaunchRegion({ ec2, autoScaling, region: REGION, window: WINDOW, instances, coverage });
}
const entries = (api: string) => coverage.entries.filter((e) => e.api === api);

function denied(): Error {
  return Object.assign(new Error("You are not authorized to perform this operation."), {
    name: "UnauthorizedOperation",
  });
}

const template = (id: string, created: Date) => ({
  LaunchTemplateId: id,
  LaunchTemplateName: `tpl-${id}`,
  CreateTime: created,
  CreatedBy: "arn:aws:iam::123456789012:user/ci",
  LatestVersionNumber: 2,
});

beforeEach(() => {
  ec2 = new EC2Client({ region: REGION });
  autoScaling = new AutoScalingClient({ region: REGION });
  ec2Mock = mockClient(ec2);
  asMock = mockClient(autoScaling);
  coverage = new CoverageRecorder();
  asMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
  ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [] });
  ec2Mock.on(DescribeSpotInstanceRequestsCommand).resolves({ SpotInstanceRequests: [] });
  ec2Mock.on(DescribeFleetsCommand).resolves({ Fleets: [] });
  ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [] });
});

describe("collectRelaunchRegion", () => {
  it("pages every list with its maximum page size", async () => {
    asMock
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({
        AutoScalingGroups: [
          {
            AutoScalingGroupName: "old",
            CreatedTime: hoursAgo(900),
            MinSize: 1,
            MaxSize: 2,
            DesiredCapacity: 1,
            DefaultCooldown: 300,
            AvailabilityZones: [],
            HealthCheckType: "EC2",
            LaunchConfigurationName: "lc-old",
          },
        ],
        NextToken: "asg-2",
      })
      .resolvesOnce({
        AutoScalingGroups: [
          {
            AutoScalingGroupName: "workers",
            AutoScalingGroupARN:
              "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:1:autoScalingGroupName/workers",
            CreatedTime: hoursAgo(5),
            MinSize: 10,
            MaxSize: 10,
            DesiredCapacity: 10,
            DefaultCooldown: 300,
            AvailabilityZones: [],
            HealthCheckType: "EC2",
            MixedInstancesPolicy: {
              LaunchTemplate: {
                LaunchTemplateSpecification: { LaunchTemplateId: "lt-0aaa", LaunchTemplateName: "tpl-lt-0aaa" },
                Overrides: [{ InstanceType: "c5.9xlarge" }, { InstanceType: "c5a.24xlarge" }],
              },
            },
            Instances: [
              {
                InstanceId: "i-0aaaaaaaaaaaaaaa1",
                InstanceType: "c5.9xlarge",
                AvailabilityZone: "eu-west-1a",
                LifecycleState: "InService",
                HealthStatus: "Healthy",
                ProtectedFromScaleIn: false,
              },
            ],
            Tags: [
              {
                Key: "Name",
                Value: "worker",
                ResourceId: "workers",
                ResourceType: "auto-scaling-group",
                PropagateAtLaunch: true,
              },
            ],
          },
        ],
      });
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [template("lt-0aaa", hoursAgo(900))] });
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({
      LaunchTemplateVersions: [
        {
          LaunchTemplateId: "lt-0aaa",
          VersionNumber: 2,
          LaunchTemplateData: {
            InstanceType: "c5.9xlarge",
            ImageId: "ami-0123",
            UserData: b64(MINER),
            DisableApiTermination: true,
          },
        },
      ],
    });

    const result = await run();

    expect(asMock).toHaveReceivedNthCommandWith(DescribeAutoScalingGroupsCommand, 1, { MaxRecords: 100 });
    expect(asMock).toHaveReceivedNthCommandWith(DescribeAutoScalingGroupsCommand, 2, {
      MaxRecords: 100,
      NextToken: "asg-2",
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeLaunchTemplatesCommand, { MaxResults: 200 });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSpotInstanceRequestsCommand, { MaxResults: 1000 });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeFleetsCommand, { MaxResults: 1000 });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSpotFleetRequestsCommand, { MaxResults: 1000 });
    expect(result.autoScalingGroups.map((g) => g.name)).toEqual(["old", "workers"]);
    expect(result.autoScalingGroups[1]).toMatchObject({
      launchTemplateId: "lt-0aaa",
      instanceTypes: ["c5.9xlarge", "c5a.24xlarge"],
      instanceIds: ["i-0aaaaaaaaaaaaaaa1"],
      tags: { Name: "worker" },
      createdTime: hoursAgo(5).toISOString(),
    });
    // An old template is read because a group created in the window uses it.
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, {
      LaunchTemplateId: "lt-0aaa",
      Versions: ["$Latest"],
    });
    const lt = result.launchTemplates[0];
    expect(lt?.userData?.text).toContain("stratum+tcp://pool.supportxmr.com:3333");
    expect(lt?.userData?.text).not.toContain("wJalrXUtnFEMI");
    expect(lt).toMatchObject({ instanceType: "c5.9xlarge", imageId: "ami-0123", disableApiTermination: true });
    expect(result.read).toBe(true);
  });

  it("reads template versions only for templates created in the window or used by new machinery, capped", async () => {
    const fresh = Array.from({ length: LAUNCH_TEMPLATE_VERSIONS_CAP + 3 }, (_, k) =>
      template(`lt-new${k}`, hoursAgo(1 + k / 10)),
    );
    ec2Mock
      .on(DescribeLaunchTemplatesCommand)
      .resolves({ LaunchTemplates: [template("lt-old", hoursAgo(500)), ...fresh] });
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [] });
    await run();
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeLaunchTemplateVersionsCommand, LAUNCH_TEMPLATE_VERSIONS_CAP);
    expect(ec2Mock).not.toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, {
      LaunchTemplateId: "lt-old",
    });
    expect(entries("DescribeLaunchTemplateVersions:cap")).toEqual([
      expect.objectContaining({ status: "partial", reason: "not-requested" }),
    ]);
  });

  it("maps spot requests, EC2 fleets and spot fleets with the instances they own", async () => {
    ec2Mock.on(DescribeSpotInstanceRequestsCommand).resolves({
      SpotInstanceRequests: [
        {
          SpotInstanceRequestId: "sir-1",
          State: "active",
          Type: "persistent",
          CreateTime: hoursAgo(4),
          InstanceId: "i-0bbbbbbbbbbbbbbb1",
          LaunchSpecification: { InstanceType: "g4dn.12xlarge", UserData: b64(MINER) },
        },
      ],
    });
    ec2Mock.on(DescribeFleetsCommand).resolves({
      Fleets: [
        {
          FleetId: "fleet-1",
          Type: "maintain",
          FleetState: "active",
          CreateTime: hoursAgo(3),
          TargetCapacitySpecification: { TotalTargetCapacity: 6, DefaultTargetCapacityType: "spot" },
          LaunchTemplateConfigs: [
            { LaunchTemplateSpecification: { LaunchTemplateId: "lt-0f" }, Overrides: [{ InstanceType: "p3.8xlarge" }] },
          ],
        },
      ],
    });
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({
      SpotFleetRequestConfigs: [
        {
          SpotFleetRequestId: "sfr-1",
          SpotFleetRequestState: "active",
          CreateTime: hoursAgo(2),
          SpotFleetRequestConfig: {
            IamFleetRole: "arn:aws:iam::123456789012:role/fleet",
            TargetCapacity: 3,
            Type: "maintain",
            LaunchSpecifications: [{ InstanceType: "c5.9xlarge", UserData: b64(MINER) }],
          },
        },
      ],
    });
    const fleetInstance = (id: string, tags: Record<string, string>): Instance => ({
      instanceId: id,
      region: REGION,
      instanceType: "p3.8xlarge",
      state: "running",
      launchTime: hoursAgo(3).toISOString(),
      tags,
    });

    const result = await run([
      fleetInstance("i-0ccccccccccccccc1", { "aws:ec2:fleet-id": "fleet-1" }),
      fleetInstance("i-0ccccccccccccccc2", { "aws:ec2spot:fleet-request-id": "sfr-1" }),
    ]);

    expect(result.spotRequests[0]).toMatchObject({
      id: "sir-1",
      type: "persistent",
      instanceType: "g4dn.12xlarge",
      instanceId: "i-0bbbbbbbbbbbbbbb1",
    });
    expect(result.spotRequests[0]?.userData?.text).not.toContain("wJalrXUtnFEMI");
    expect(result.fleets).toEqual([
      expect.objectContaining({
        id: "fleet-1",
        kind: "ec2-fleet",
        type: "maintain",
        targetCapacity: 6,
        instanceTypes: ["p3.8xlarge"],
        launchTemplateIds: ["lt-0f"],
        instanceIds: ["i-0ccccccccccccccc1"],
      }),
      expect.objectContaining({
        id: "sfr-1",
        kind: "spot-fleet",
        type: "maintain",
        targetCapacity: 3,
        instanceTypes: ["c5.9xlarge"],
        instanceIds: ["i-0ccccccccccccccc2"],
      }),
    ]);
    expect(result.fleets[1]?.userData?.text).toContain("pool.supportxmr.com");
  });

  it("records each denied API and keeps what the others returned", async () => {
    asMock
      .on(DescribeAutoScalingGroupsCommand)
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDenied" }));
    ec2Mock.on(DescribeSpotFleetRequestsCommand).rejects(denied());
    ec2Mock.on(DescribeSpotInstanceRequestsCommand).resolves({
      SpotInstanceRequests: [
        { SpotInstanceRequestId: "sir-2", State: "open", Type: "one-time", CreateTime: hoursAgo(1) },
      ],
    });
    const result = await run();
    expect(entries("DescribeAutoScalingGroups")).toEqual([
      expect.objectContaining({ service: "autoscaling", status: "failed", reason: "access-denied" }),
    ]);
    expect(entries("DescribeSpotFleetRequests")).toEqual([
      expect.objectContaining({ service: "ec2", status: "failed", reason: "access-denied" }),
    ]);
    expect(result.spotRequests.map((r) => r.id)).toEqual(["sir-2"]);
    expect(entries("DescribeSpotInstanceRequests")).toEqual([expect.objectContaining({ status: "ok" })]);
    expect(result.read).toBe(true);
  });

  it("stops at the cap per list and records it as partial", async () => {
    ec2Mock.on(DescribeSpotInstanceRequestsCommand).callsFake(() => ({
      SpotInstanceRequests: Array.from({ length: 1000 }, (_, k) => ({
        SpotInstanceRequestId: `sir-${k}`,
        State: "closed",
        Type: "one-time",
        CreateTime: hoursAgo(100),
      })),
      NextToken: "more",
    }));
    const result = await run();
    expect(result.spotRequests).toHaveLength(RELAUNCH_LIST_CAP);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSpotInstanceRequestsCommand, RELAUNCH_LIST_CAP / 1000);
    expect(entries("DescribeSpotInstanceRequests")).toEqual([
      expect.objectContaining({ status: "partial", reason: "not-requested" }),
    ]);
  });
});

describe("relaunchCollector", () => {
  it("reads every audited region and returns a schema-valid section with the regions read", async () => {
    const regions = ["eu-west-1", "us-east-1"];
    const sections = await relaunchCollector.collect({
      clients: fakeClientFactory({ ec2: () => ec2, autoScaling: () => autoScaling }),
      config: ConfigSchema.parse({}),
      window: WINDOW,
      accountId: "123456789012",
      regions,
      instances: [],
      coverage,
      progress: () => {},
    });
    expect(RelaunchSchema.parse(sections.relaunch).regionsRead).toEqual(regions);
    expect(asMock).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 2);
  });
});
