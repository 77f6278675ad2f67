import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CostExplorerClient } from "@aws-sdk/client-cost-explorer";
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  type DescribeInstanceTypesCommandInput,
  DescribeRegionsCommand,
  EC2Client,
  EC2ServiceException,
  type Instance as Ec2Instance,
  type InstanceTypeInfo as Ec2InstanceTypeInfo,
} from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { type ClientFactory, createClientFactory } from "../../lambda/collect/clients.js";
import { collectMetrics } from "../../lambda/collect/cloudwatch.js";
import { collectAccount, sortCoverage } from "../../lambda/collect/collect-account.js";
import { collectCosts } from "../../lambda/collect/cost-explorer.js";
import { REGION_CONCURRENCY } from "../../lambda/collect/limits.js";
import { ConfigSchema } from "../../lambda/core/config.js";
import { UserInputError } from "../../lambda/core/input.js";
import { AccountSnapshotSchema, type InstanceMetrics } from "../../lambda/core/snapshot.js";
import packageJson from "../../package.json" with { type: "json" };
import { fakeClientFactory } from "../support/fake-clients.js";

// The CloudWatch and Cost Explorer collectors have their own tests; here they are seams whose
// calls (which instances, which window, once or per region) are what the orchestrator owns.
vi.mock("../../lambda/collect/cloudwatch.js", () => ({ collectMetrics: vi.fn() }));
vi.mock("../../lambda/collect/cost-explorer.js", () => ({ collectCosts: vi.fn() }));

const ACCOUNT_ID = "123456789012";
const WINDOW_END = new Date("2026-03-10T06:00:00.000Z");
const WINDOW = { start: new Date(WINDOW_END.getTime() - 24 * 3600 * 1000), end: WINDOW_END };
const NOW = new Date("2026-03-10T06:05:00.000Z");
const DAY = 24 * 3600 * 1000;
const config = ConfigSchema.parse({ gpuMetricNamespace: "Custom/GPU" });

const TYPES: Record<string, Ec2InstanceTypeInfo> = {
  "t3.micro": { InstanceType: "t3.micro", VCpuInfo: { DefaultVCpus: 2 }, MemoryInfo: { SizeInMiB: 1024 } },
  "m5.large": { InstanceType: "m5.large", VCpuInfo: { DefaultVCpus: 2 }, MemoryInfo: { SizeInMiB: 8192 } },
  "p3.2xlarge": {
    InstanceType: "p3.2xlarge",
    VCpuInfo: { DefaultVCpus: 8 },
    MemoryInfo: { SizeInMiB: 62464 },
    GpuInfo: { Gpus: [{ Name: "V100", Manufacturer: "NVIDIA", Count: 1 }] },
  },
};

function rawInstance(id: string, overrides: Partial<Ec2Instance> = {}): Ec2Instance {
  return {
    InstanceId: id,
    InstanceType: "t3.micro",
    LaunchTime: new Date(WINDOW_END.getTime() - 90 * DAY),
    State: { Code: 16, Name: "running" },
    ImageId: "ami-0abcdef1234567890",
    Placement: { AvailabilityZone: "us-east-1a" },
    Tags: [],
    ...overrides,
  };
}

const ENABLED_REGIONS = [
  { RegionName: "us-east-1", OptInStatus: "opt-in-not-required" },
  { RegionName: "eu-west-1", OptInStatus: "opt-in-not-required" },
  { RegionName: "ap-south-1", OptInStatus: "opted-in" },
  { RegionName: "af-south-1", OptInStatus: "not-opted-in" },
];

const MINER_SCRIPT =
  "#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n./xmrig -o stratum+tcp://pool.supportxmr.com:3333\n";

interface Fake {
  factory: ClientFactory;
  ec2: Map<string, AwsClientStub<EC2Client>>;
  sts: AwsClientStub<STSClient>;
  ec2Regions: string[];
}

/** A ClientFactory whose clients are individually mocked, so each region can answer differently. */
function fakeFactory(): Fake {
  const ec2Clients = new Map<string, EC2Client>();
  const ec2 = new Map<string, AwsClientStub<EC2Client>>();
  const ec2Regions: string[] = [];
  const stsClient = new STSClient({ region: "us-east-1" });
  const sts = mockClient(stsClient);
  const cloudWatchClients = new Map<string, CloudWatchClient>();
  const costExplorerClient = new CostExplorerClient({ region: "us-east-1" });
  mockClient(costExplorerClient);
  function ec2Client(region: string): EC2Client {
    let client = ec2Clients.get(region);
    if (!client) {
      client = new EC2Client({ region });
      const stub = mockClient(client);
      // Unconfigured calls reject loudly instead of reaching AWS.
      stub.onAnyCommand().rejects(new Error(`unexpected call in ${region}`));
      stub.on(DescribeInstanceTypesCommand).callsFake((input: DescribeInstanceTypesCommandInput) => ({
        InstanceTypes: (input.InstanceTypes ?? []).flatMap((name) => (TYPES[name] ? [TYPES[name]] : [])),
      }));
      stub.on(DescribeInstanceAttributeCommand).resolves({ UserData: {} });
      stub.on(DescribeInstancesCommand).resolves({ Reservations: [] });
      ec2Clients.set(region, client);
      ec2.set(region, stub);
    }
    return client;
  }
  // Regions used by a test are configured before the run; the factory records which it was asked for.
  const factory: ClientFactory = fakeClientFactory({
    ec2: (region) => {
      ec2Regions.push(region);
      return ec2Client(region);
    },
    cloudWatch: (region) => {
      let client = cloudWatchClients.get(region);
      if (!client) {
        client = new CloudWatchClient({ region });
        mockClient(client);
        cloudWatchClients.set(region, client);
      }
      return client;
    },
    costExplorer: () => costExplorerClient,
    sts: () => stsClient,
  });
  for (const region of ENABLED_REGIONS) ec2Client(region.RegionName ?? "");
  return { factory, ec2, sts, ec2Regions };
}

function stub(fake: Fake, region: string): AwsClientStub<EC2Client> {
  const found = fake.ec2.get(region);
  if (!found) throw new Error(`no stub for ${region}`);
  return found;
}

const cpuSeries = (values: number[]): InstanceMetrics => ({
  cpu: { start: WINDOW.start.toISOString(), periodSeconds: 3600, stat: "Average", values },
});

let fake: Fake;

beforeEach(() => {
  vi.mocked(collectMetrics).mockReset();
  vi.mocked(collectCosts).mockReset();
  vi.mocked(collectMetrics).mockImplementation(async ({ instances, region, coverage }) => {
    coverage.ok(region, "cloudwatch", "GetMetricData", `${instances.length} instances`);
    return {
      byInstance: Object.fromEntries(instances.map((i) => [i.instanceId, cpuSeries([97, 98, 99])])),
      gpuAgentInstanceIds: [],
    };
  });
  vi.mocked(collectCosts).mockImplementation(async ({ coverage }) => {
    coverage.ok("global", "ce", "GetCostAndUsage");
    return {
      costs: {
        currency: "USD",
        days: ["2026-03-08", "2026-03-09"],
        byRegion: { "us-east-1": [12.5, 13.1], "ap-south-1": [0, 41.9] },
        byService: { "Amazon Elastic Compute Cloud - Compute": [12.5, 55] },
        byInstanceType: { "p3.2xlarge": [0, 41.9], "t3.micro": [12.5, 13.1] },
      },
      costAnomalies: [
        {
          anomalyId: "a1b2c3d4-0000-4000-8000-000000000001",
          startDate: "2026-03-09",
          totalImpactUsd: 41.9,
          rootCauses: [{ service: "Amazon Elastic Compute Cloud - Compute", region: "ap-south-1" }],
        },
      ],
    };
  });

  fake = fakeFactory();
  fake.sts.on(GetCallerIdentityCommand).resolves({
    Account: ACCOUNT_ID,
    Arn: `arn:aws:iam::${ACCOUNT_ID}:user/auditor`,
    UserId: "AIDAEXAMPLE",
  });
  stub(fake, "us-east-1").on(DescribeRegionsCommand).resolves({ Regions: ENABLED_REGIONS });
  stub(fake, "us-east-1")
    .on(DescribeInstancesCommand)
    .resolves({
      Reservations: [
        {
          ReservationId: "r-0aaa",
          Instances: [
            rawInstance("i-0aaa00000000000b2", { InstanceType: "m5.large" }),
            rawInstance("i-0aaa00000000000a1"),
            rawInstance("i-0aaa00000000000c3", { State: { Code: 48, Name: "terminated" } }),
          ],
        },
      ],
    });
  stub(fake, "eu-west-1")
    .on(DescribeInstancesCommand)
    .rejects(
      new EC2ServiceException({
        name: "UnauthorizedOperation",
        message: "You are not authorized to perform this operation.",
        $fault: "client",
        $metadata: { httpStatusCode: 403 },
      }),
    );
  const gpuId = "i-0bbb00000000000a1";
  stub(fake, "ap-south-1")
    .on(DescribeInstancesCommand)
    .resolves({
      Reservations: [
        {
          ReservationId: "r-0bbb",
          Instances: [
            rawInstance(gpuId, {
              InstanceType: "p3.2xlarge",
              LaunchTime: new Date(WINDOW_END.getTime() - 3 * 3600 * 1000),
              KeyName: "attacker",
              Placement: { AvailabilityZone: "ap-south-1a" },
            }),
          ],
        },
      ],
    });
  stub(fake, "ap-south-1")
    .on(DescribeInstanceAttributeCommand, { InstanceId: gpuId, Attribute: "userData" })
    .resolves({ InstanceId: gpuId, UserData: { Value: Buffer.from(MINER_SCRIPT).toString("base64") } });
});

describe("collectAccount", () => {
  it("collects every enabled region into a valid snapshot, keeping what other regions returned", async () => {
    const progress: string[] = [];
    const snapshot = await collectAccount({
      clients: fake.factory,
      config,
      window: WINDOW,
      now: NOW,
      onProgress: (line) => progress.push(line),
    });

    expect(AccountSnapshotSchema.parse(snapshot)).toEqual(snapshot);
    expect(snapshot).toMatchObject({
      schemaVersion: 1,
      accountId: ACCOUNT_ID,
      collectedAt: NOW.toISOString(),
      window: { start: WINDOW.start.toISOString(), end: WINDOW.end.toISOString() },
      source: { tool: "minewatch", kind: "live", version: packageJson.version },
    });
    expect(snapshot.regions.map((r) => r.name)).toEqual(["af-south-1", "ap-south-1", "eu-west-1", "us-east-1"]);
    // Sorted by region, then launch time, then id.
    expect(snapshot.instances.map((i) => `${i.region}/${i.instanceId}`)).toEqual([
      "ap-south-1/i-0bbb00000000000a1",
      "us-east-1/i-0aaa00000000000a1",
      "us-east-1/i-0aaa00000000000b2",
      "us-east-1/i-0aaa00000000000c3",
    ]);
    expect(Object.keys(snapshot.instanceTypes)).toEqual(["m5.large", "p3.2xlarge", "t3.micro"]);
    expect(snapshot.instanceTypes["p3.2xlarge"]).toMatchObject({ gpus: 1, gpuModel: "NVIDIA V100" });

    const gpu = snapshot.instances.find((i) => i.instanceId === "i-0bbb00000000000a1");
    expect(gpu?.userData?.text).toContain("stratum+tcp://pool.supportxmr.com:3333");
    expect(gpu?.userData?.text).not.toContain("AKIAIOSFODNN7EXAMPLE");

    expect(snapshot.metrics.gpuNamespace).toBe("Custom/GPU");
    expect(Object.keys(snapshot.metrics.byInstance).sort()).toEqual([
      "i-0aaa00000000000a1",
      "i-0aaa00000000000b2",
      "i-0bbb00000000000a1",
    ]);
    expect(snapshot.costs?.days).toEqual(["2026-03-08", "2026-03-09"]);
    expect(snapshot.costAnomalies).toHaveLength(1);

    expect(snapshot.coverage).toContainEqual(
      expect.objectContaining({ region: "eu-west-1", service: "ec2", status: "failed", reason: "access-denied" }),
    );
    expect(snapshot.coverage).toContainEqual(
      expect.objectContaining({ region: "af-south-1", status: "skipped", reason: "not-opted-in" }),
    );
    expect(snapshot.coverage).toContainEqual(
      expect.objectContaining({ region: "global", service: "ce", api: "GetCostAndUsage", status: "ok" }),
    );
    expect(snapshot.coverage).toEqual(sortCoverage(snapshot.coverage));

    expect(progress).toContain("us-east-1: 3 instances");
    expect(progress).toContain("ap-south-1: 1 instance");
    expect(progress).toContain("eu-west-1: 0 instances");
    expect(progress).toContain("Cost Explorer: 2 days, 1 anomalies");
  });

  it("never calls a region that is not opted in", async () => {
    await collectAccount({ clients: fake.factory, config, window: WINDOW, now: NOW });
    expect(fake.ec2Regions).not.toContain("af-south-1");
    expect(stub(fake, "af-south-1")).not.toHaveReceivedAnyCommand();
  });

  it("asks CloudWatch only about running and stopped instances, per region, and Cost Explorer once", async () => {
    await collectAccount({ clients: fake.factory, config, window: WINDOW, now: NOW });
    const calls = vi.mocked(collectMetrics).mock.calls.map(([input]) => ({
      region: input.region,
      ids: input.instances.map((i) => i.instanceId).sort(),
      window: input.window,
    }));
    expect(calls.sort((a, b) => (a.region < b.region ? -1 : 1))).toEqual([
      { region: "ap-south-1", ids: ["i-0bbb00000000000a1"], window: WINDOW },
      { region: "us-east-1", ids: ["i-0aaa00000000000a1", "i-0aaa00000000000b2"], window: WINDOW },
    ]);
    expect(collectCosts).toHaveBeenCalledTimes(1);
    expect(vi.mocked(collectCosts).mock.calls[0]?.[0]).toMatchObject({ window: WINDOW, config });
  });

  it("reuses an earlier run's Cost Explorer data instead of reading it, and says so in coverage", async () => {
    const reused = {
      collectedAt: "2026-03-10T05:02:00.000Z",
      costs: {
        currency: "USD",
        days: ["2026-03-08", "2026-03-09"],
        byRegion: { "us-east-1": [12.5, 13.1] },
        byService: {},
        byInstanceType: {},
      },
      costAnomalies: [],
      coverage: [{ region: "global", service: "ce", api: "GetCostAndUsage", status: "ok" as const }],
    };
    const snapshot = await collectAccount({
      clients: fake.factory,
      config,
      window: WINDOW,
      now: NOW,
      reuseCosts: reused,
    });
    expect(vi.mocked(collectCosts)).not.toHaveBeenCalled();
    expect(snapshot.costs).toEqual(reused.costs);
    expect(snapshot.coverage.filter((e) => e.service === "ce")).toEqual([
      {
        region: "global",
        service: "ce",
        api: "GetCostAndUsage",
        status: "ok",
        message: expect.stringContaining("reused from the run at 2026-03-10T05:02:00.000Z"),
      },
    ]);
  });

  it("lists the regions from the caller's own region when it is known (a region-deny SCP allows that one)", async () => {
    stub(fake, "eu-west-1").on(DescribeRegionsCommand).resolves({ Regions: ENABLED_REGIONS });
    stub(fake, "us-east-1")
      .on(DescribeRegionsCommand)
      .rejects(
        Object.assign(new Error("explicit deny in a service control policy"), { name: "UnauthorizedOperation" }),
      );
    const snapshot = await collectAccount({
      clients: { ...fake.factory, homeRegion: "eu-west-1" },
      config,
      window: WINDOW,
      now: NOW,
    });
    expect(stub(fake, "eu-west-1")).toHaveReceivedCommandWith(DescribeRegionsCommand, { AllRegions: true });
    expect(stub(fake, "us-east-1")).not.toHaveReceivedCommand(DescribeRegionsCommand);
    expect(snapshot.regions.length).toBe(ENABLED_REGIONS.length);
    expect(createClientFactory({ defaultRegion: "eu-west-1" }).homeRegion).toBe("eu-west-1");
    expect(createClientFactory().homeRegion).toBe("us-east-1");
  });

  it("reads DescribeRegions from us-east-1 with AllRegions and every page of instances with MaxResults", async () => {
    await collectAccount({ clients: fake.factory, config, window: WINDOW, now: NOW });
    expect(stub(fake, "us-east-1")).toHaveReceivedCommandWith(DescribeRegionsCommand, { AllRegions: true });
    expect(stub(fake, "ap-south-1")).toHaveReceivedCommandWith(DescribeInstancesCommand, { MaxResults: 1000 });
    expect(fake.sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
  });

  it("reads only the requested regions and names the others as not requested", async () => {
    const snapshot = await collectAccount({
      clients: fake.factory,
      config,
      window: WINDOW,
      now: NOW,
      regions: ["ap-south-1"],
    });
    expect(snapshot.instances.map((i) => i.region)).toEqual(["ap-south-1"]);
    expect(stub(fake, "us-east-1")).not.toHaveReceivedCommand(DescribeInstancesCommand);
    expect(stub(fake, "eu-west-1")).not.toHaveReceivedAnyCommand();
    const skipped = snapshot.coverage
      .filter((e) => e.status === "skipped" && e.service === "ec2")
      .map((e) => [e.region, e.reason]);
    expect(skipped).toEqual([
      ["af-south-1", "not-opted-in"],
      ["eu-west-1", "not-requested"],
      ["us-east-1", "not-requested"],
    ]);
  });

  it("skips a requested region that is not opted in, without calling it", async () => {
    const snapshot = await collectAccount({
      clients: fake.factory,
      config,
      window: WINDOW,
      now: NOW,
      regions: ["af-south-1", "us-east-1"],
    });
    expect(stub(fake, "af-south-1")).not.toHaveReceivedAnyCommand();
    expect(snapshot.coverage).toContainEqual({
      region: "af-south-1",
      service: "ec2",
      api: "DescribeInstances",
      status: "skipped",
      reason: "not-opted-in",
      message: expect.stringContaining("requested"),
    });
    expect(snapshot.instances.every((i) => i.region === "us-east-1")).toBe(true);
  });

  it("rejects an unknown region with the valid choices", async () => {
    const run = collectAccount({ clients: fake.factory, config, window: WINDOW, regions: ["eu-west-9", "us-east-1"] });
    await expect(run).rejects.toBeInstanceOf(UserInputError);
    await expect(run).rejects.toThrow(/"eu-west-9".*af-south-1, ap-south-1, eu-west-1, us-east-1/);
  });

  it("rejects an empty region list instead of auditing nothing", async () => {
    await expect(collectAccount({ clients: fake.factory, config, window: WINDOW, regions: [" ", ""] })).rejects.toThrow(
      UserInputError,
    );
    expect(stub(fake, "us-east-1")).not.toHaveReceivedCommand(DescribeInstancesCommand);
  });

  it("fails clearly when the account cannot be identified", async () => {
    fake.sts.on(GetCallerIdentityCommand).rejects(
      new STSServiceException({
        name: "InvalidClientTokenId",
        message: "The security token included in the request is invalid.",
        $fault: "client",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await expect(collectAccount({ clients: fake.factory, config, window: WINDOW })).rejects.toThrow(
      /Cannot identify the AWS account.*InvalidClientTokenId/,
    );
  });

  it("fails clearly when the region list cannot be read", async () => {
    stub(fake, "us-east-1").on(DescribeRegionsCommand).rejects(new Error("socket hang up"));
    await expect(collectAccount({ clients: fake.factory, config, window: WINDOW })).rejects.toThrow(
      /Cannot list the account's regions/,
    );
  });

  it("keeps everything else when the metrics or cost collectors throw", async () => {
    vi.mocked(collectMetrics).mockRejectedValue(new Error("unexpected bug"));
    vi.mocked(collectCosts).mockRejectedValue(
      Object.assign(new Error("User not enabled for cost explorer access"), { name: "AccessDeniedException" }),
    );
    const progress: string[] = [];
    const snapshot = await collectAccount({
      clients: fake.factory,
      config,
      window: WINDOW,
      now: NOW,
      onProgress: (line) => progress.push(line),
    });
    expect(snapshot.instances).toHaveLength(4);
    expect(snapshot.costs).toBeUndefined();
    expect(snapshot.metrics.byInstance).toEqual({});
    expect(snapshot.coverage).toContainEqual(
      expect.objectContaining({ region: "us-east-1", service: "cloudwatch", status: "failed", reason: "error" }),
    );
    expect(snapshot.coverage).toContainEqual(
      expect.objectContaining({
        region: "global",
        service: "ce",
        status: "failed",
        reason: "cost-explorer-not-enabled",
      }),
    );
    expect(progress).toContain("Cost Explorer: not read (cost-explorer-not-enabled)");
  });

  it("reads at most REGION_CONCURRENCY regions at a time", async () => {
    const many = [..."abcdefghij"].map((letter) => `us-test${letter}-1`);
    const wide = fakeFactory();
    wide.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT_ID });
    stub(wide, "us-east-1")
      .on(DescribeRegionsCommand)
      .resolves({ Regions: many.map((RegionName) => ({ RegionName, OptInStatus: "opt-in-not-required" })) });
    let inFlight = 0;
    let peak = 0;
    const slowEmpty = async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight -= 1;
      return { Reservations: [] };
    };
    const factory: ClientFactory = fakeClientFactory({
      ...wide.factory,
      ec2: (region) => {
        const client = wide.factory.ec2(region);
        if (region !== "us-east-1") stub(wide, region).on(DescribeInstancesCommand).callsFake(slowEmpty);
        return client;
      },
    });

    const snapshot = await collectAccount({ clients: factory, config, window: WINDOW, now: NOW });

    expect(peak).toBe(REGION_CONCURRENCY);
    expect(
      snapshot.coverage.filter((e) => e.api === "DescribeInstances" && e.status === "ok").map((e) => e.region),
    ).toEqual(many.sort());
  });
});
