import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import {
  type _InstanceType,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  type DescribeInstancesCommandOutput,
  DescribeInstanceTypesCommand,
  type DescribeInstanceTypesCommandInput,
  DescribeRegionsCommand,
  EC2Client,
  type EC2ClientConfig,
  EC2ServiceException,
  type Instance as Ec2Instance,
  type InstanceTypeInfo as Ec2InstanceTypeInfo,
} from "@aws-sdk/client-ec2";
import type { HttpRequest, HttpResponse, RetryErrorInfo, RetryStrategyV2, RetryToken } from "@smithy/types";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { CoverageRecorder } from "../../lambda/collect/coverage.js";
import {
  collectEc2Region,
  collectRegions,
  DESCRIBE_INSTANCES_PAGE_SIZE,
  decodeUserData,
  USER_DATA_TEXT_CAP_BYTES,
} from "../../lambda/collect/ec2.js";

const REGION = "eu-west-1";
const WINDOW_END = new Date("2026-03-10T06:00:00.000Z");
const WINDOW = { start: new Date(WINDOW_END.getTime() - 24 * 3600 * 1000), end: WINDOW_END };
const DAY = 24 * 3600 * 1000;
const daysAgo = (days: number) => new Date(WINDOW_END.getTime() - days * DAY);
const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64");

let serial = 0;
function rawInstance(overrides: Partial<Ec2Instance> = {}): Ec2Instance {
  serial += 1;
  return {
    InstanceId: `i-0${serial.toString(16).padStart(16, "0")}`,
    InstanceType: "t3.micro",
    LaunchTime: daysAgo(60),
    State: { Code: 16, Name: "running" },
    ImageId: "ami-0abcdef1234567890",
    Placement: { AvailabilityZone: `${REGION}a`, Tenancy: "default" },
    VpcId: "vpc-0a1b2c3d",
    SubnetId: "subnet-0a1b2c3d",
    PrivateIpAddress: "10.0.1.17",
    Tags: [{ Key: "Name", Value: "web" }],
    ...overrides,
  };
}

function page(instances: Ec2Instance[], nextToken?: string): DescribeInstancesCommandOutput {
  return {
    $metadata: {},
    Reservations: [{ ReservationId: "r-0123456789abcdef0", OwnerId: "123456789012", Instances: instances }],
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

const TYPES: Record<string, Ec2InstanceTypeInfo> = {
  "t3.micro": { InstanceType: "t3.micro", VCpuInfo: { DefaultVCpus: 2 }, MemoryInfo: { SizeInMiB: 1024 } },
  "c5.4xlarge": { InstanceType: "c5.4xlarge", VCpuInfo: { DefaultVCpus: 16 }, MemoryInfo: { SizeInMiB: 32768 } },
  "p3.8xlarge": {
    InstanceType: "p3.8xlarge",
    VCpuInfo: { DefaultVCpus: 32 },
    MemoryInfo: { SizeInMiB: 249856 },
    GpuInfo: {
      Gpus: [{ Name: "V100", Manufacturer: "NVIDIA", Count: 4, MemoryInfo: { SizeInMiB: 16384 } }],
      TotalGpuMemoryInMiB: 65536,
    },
  },
  "inf2.xlarge": {
    InstanceType: "inf2.xlarge",
    VCpuInfo: { DefaultVCpus: 4 },
    MemoryInfo: { SizeInMiB: 16384 },
    NeuronInfo: { NeuronDevices: [{ Name: "Inferentia2", Count: 1 }] },
  },
  "f1.2xlarge": {
    InstanceType: "f1.2xlarge",
    VCpuInfo: { DefaultVCpus: 8 },
    MemoryInfo: { SizeInMiB: 124928 },
    FpgaInfo: { Fpgas: [{ Name: "Virtex UltraScale (VU9P)", Manufacturer: "Xilinx", Count: 1 }] },
  },
};

function awsError(name: string, message: string): EC2ServiceException {
  return new EC2ServiceException({ name, message, $fault: "client", $metadata: { httpStatusCode: 403 } });
}

let client: EC2Client;
// Mocked per instance, not per class: the throttling tests below need a genuine client.
let ec2Mock: AwsClientStub<EC2Client>;
let coverage: CoverageRecorder;

function answerTypesFromCatalog() {
  ec2Mock.on(DescribeInstanceTypesCommand).callsFake((input: DescribeInstanceTypesCommandInput) => ({
    InstanceTypes: (input.InstanceTypes ?? []).flatMap((name) => (TYPES[name] ? [TYPES[name]] : [])),
  }));
}

/** Instance ids asked for one attribute (user data and termination protection are separate calls). */
function attributeCalls(attribute: "userData" | "disableApiTermination"): string[] {
  return ec2Mock
    .commandCalls(DescribeInstanceAttributeCommand)
    .filter((call) => call.args[0].input.Attribute === attribute)
    .map((call) => call.args[0].input.InstanceId ?? "");
}

function run(extra: Partial<Parameters<typeof collectEc2Region>[0]> = {}) {
  return collectEc2Region({ client, region: REGION, window: WINDOW, coverage, ...extra });
}

beforeEach(() => {
  client = new EC2Client({ region: REGION });
  ec2Mock = mockClient(client);
  coverage = new CoverageRecorder();
  answerTypesFromCatalog();
  ec2Mock.on(DescribeInstanceAttributeCommand).resolves({ UserData: {} });
});

describe("collectRegions", () => {
  it("lists every region with its opt-in status", async () => {
    ec2Mock.on(DescribeRegionsCommand).resolves({
      Regions: [
        { RegionName: "us-east-1", OptInStatus: "opt-in-not-required", Endpoint: "ec2.us-east-1.amazonaws.com" },
        { RegionName: "af-south-1", OptInStatus: "not-opted-in", Endpoint: "ec2.af-south-1.amazonaws.com" },
        { RegionName: "ap-east-1", OptInStatus: "opted-in", Endpoint: "ec2.ap-east-1.amazonaws.com" },
      ],
    });
    const regions = await collectRegions(client, coverage);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRegionsCommand, { AllRegions: true });
    expect(regions).toEqual([
      { name: "af-south-1", optInStatus: "not-opted-in" },
      { name: "ap-east-1", optInStatus: "opted-in" },
      { name: "us-east-1", optInStatus: "opt-in-not-required" },
    ]);
    expect(coverage.entries).toEqual([
      { region: "global", service: "ec2", api: "DescribeRegions", status: "ok", message: "3 regions" },
    ]);
  });

  it("records the failure and throws a clear error: nothing can be audited without regions", async () => {
    ec2Mock
      .on(DescribeRegionsCommand)
      .rejects(awsError("UnauthorizedOperation", "You are not authorized to perform this operation."));
    await expect(collectRegions(client, coverage)).rejects.toThrow(
      /Cannot list the account's regions.*ec2:DescribeRegions/,
    );
    expect(coverage.entries).toMatchObject([
      { region: "global", api: "DescribeRegions", status: "failed", reason: "access-denied" },
    ]);
  });
});

describe("collectEc2Region: instances", () => {
  it("reads every page with MaxResults and maps the snapshot fields", async () => {
    const spot = rawInstance({
      InstanceType: "c5.4xlarge",
      InstanceLifecycle: "spot",
      SpotInstanceRequestId: "sir-abc123de",
      KeyName: "deploy-key",
      PublicIpAddress: "203.0.113.7",
      IamInstanceProfile: { Arn: "arn:aws:iam::123456789012:instance-profile/batch", Id: "AIPAEXAMPLE" },
      PlatformDetails: "Linux/UNIX",
      Tags: [
        { Key: "aws:ec2launchtemplate:id", Value: "lt-0abc1234def567890" },
        { Key: "aws:autoscaling:groupName", Value: "workers" },
        { Key: "team", Value: "data" },
      ],
    });
    const page1 = [rawInstance(), rawInstance()];
    const page3 = [rawInstance({ State: { Code: 80, Name: "stopped" } })];
    const pages = [page(page1, "token-2"), page([spot], "token-3"), page(page3)];
    // The SDK paginator reuses one input object across pages, so each request is copied when sent.
    const sent: DescribeInstancesCommandInput[] = [];
    ec2Mock.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => {
      sent.push({ ...input });
      return pages[sent.length - 1];
    });

    const { instances } = await run();

    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 3);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, { MaxResults: DESCRIBE_INSTANCES_PAGE_SIZE });
    expect(sent).toEqual([
      { MaxResults: 1000 },
      { MaxResults: 1000, NextToken: "token-2" },
      { MaxResults: 1000, NextToken: "token-3" },
    ]);
    expect(instances.map((i) => i.instanceId)).toEqual([...page1, spot, ...page3].map((i) => i.InstanceId));
    expect(instances[2]).toEqual({
      instanceId: spot.InstanceId,
      region: REGION,
      instanceType: "c5.4xlarge",
      state: "running",
      launchTime: daysAgo(60).toISOString(),
      imageId: "ami-0abcdef1234567890",
      keyName: "deploy-key",
      vpcId: "vpc-0a1b2c3d",
      subnetId: "subnet-0a1b2c3d",
      lifecycle: "spot",
      spotInstanceRequestId: "sir-abc123de",
      iamInstanceProfileArn: "arn:aws:iam::123456789012:instance-profile/batch",
      launchTemplateId: "lt-0abc1234def567890",
      autoScalingGroup: "workers",
      publicIpAddress: "203.0.113.7",
      platform: "Linux/UNIX",
      tags: {
        "aws:ec2launchtemplate:id": "lt-0abc1234def567890",
        "aws:autoscaling:groupName": "workers",
        team: "data",
      },
    });
    expect(instances[3]?.state).toBe("stopped");
    expect(coverage.entries).toContainEqual({
      region: REGION,
      service: "ec2",
      api: "DescribeInstances",
      status: "ok",
      message: "4 instances",
    });
  });

  it("keeps the pages already read when a later page fails", async () => {
    const first = rawInstance();
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce(page([first], "token-2"))
      .rejectsOnce(awsError("RequestLimitExceeded", "Request limit exceeded."));
    const { instances } = await run();
    expect(instances.map((i) => i.instanceId)).toEqual([first.InstanceId]);
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({ api: "DescribeInstances", status: "partial", reason: "throttled" }),
    );
  });

  it("records AccessDenied as a failed entry and returns no instances without other calls", async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .rejects(awsError("UnauthorizedOperation", "You are not authorized to perform this operation."));
    const result = await run();
    expect(result).toEqual({ instances: [], instanceTypes: {} });
    expect(coverage.entries).toEqual([
      expect.objectContaining({ region: REGION, api: "DescribeInstances", status: "failed", reason: "access-denied" }),
    ]);
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstanceTypesCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstanceAttributeCommand);
  });

  it("leaves out instances without required fields and says so", async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(page([rawInstance(), rawInstance({ LaunchTime: undefined })]));
    const { instances } = await run();
    expect(instances).toHaveLength(1);
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({ api: "DescribeInstances", status: "partial", reason: "error" }),
    );
  });
});

describe("collectEc2Region: instance types", () => {
  it("asks for at most 100 type names per call and follows NextToken", async () => {
    // Synthetic names: the point is the count, and EC2 has no 150 real types sharing one shape.
    const names = Array.from({ length: 150 }, (_, i) => `c6i.type${i.toString().padStart(3, "0")}` as _InstanceType);
    ec2Mock.on(DescribeInstancesCommand).resolves(page(names.map((name) => rawInstance({ InstanceType: name }))));
    const info = (name: _InstanceType): Ec2InstanceTypeInfo => ({
      InstanceType: name,
      VCpuInfo: { DefaultVCpus: 2 },
      MemoryInfo: { SizeInMiB: 4096 },
    });
    ec2Mock.on(DescribeInstanceTypesCommand).callsFake((input: DescribeInstanceTypesCommandInput) => {
      const batch = input.InstanceTypes ?? [];
      // The first batch answers in two pages, as EC2 does when MaxResults is reached.
      if (batch.length === 100 && !input.NextToken)
        return { InstanceTypes: batch.slice(0, 60).map(info), NextToken: "more" };
      if (input.NextToken === "more") return { InstanceTypes: batch.slice(60).map(info) };
      return { InstanceTypes: batch.map(info) };
    });

    const { instanceTypes } = await run();

    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstanceTypesCommand, 3);
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeInstanceTypesCommand, 1, {
      InstanceTypes: names.slice(0, 100),
      MaxResults: 100,
    });
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeInstanceTypesCommand, 2, {
      InstanceTypes: names.slice(0, 100),
      NextToken: "more",
    });
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeInstanceTypesCommand, 3, { InstanceTypes: names.slice(100) });
    expect(Object.keys(instanceTypes).sort()).toEqual(names);
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({ api: "DescribeInstanceTypes", status: "ok", message: "150 instance types" }),
    );
  });

  it.each([
    ["t3.micro", { vcpus: 2, memoryMiB: 1024, gpus: 0, accelerators: 0 }],
    ["p3.8xlarge", { vcpus: 32, memoryMiB: 249856, gpus: 4, gpuModel: "NVIDIA V100", accelerators: 0 }],
    ["inf2.xlarge", { vcpus: 4, memoryMiB: 16384, gpus: 0, accelerators: 1 }],
    ["f1.2xlarge", { vcpus: 8, memoryMiB: 124928, gpus: 0, accelerators: 1 }],
  ])("describes %s", async (type, expected) => {
    ec2Mock.on(DescribeInstancesCommand).resolves(page([rawInstance({ InstanceType: type as _InstanceType })]));
    const { instanceTypes } = await run();
    expect(instanceTypes[type]).toEqual(expected);
  });

  it("keeps the instances when DescribeInstanceTypes is denied", async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(page([rawInstance()]));
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(awsError("UnauthorizedOperation", "not authorized"));
    const { instances, instanceTypes } = await run();
    expect(instances).toHaveLength(1);
    expect(instanceTypes).toEqual({});
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({ api: "DescribeInstanceTypes", status: "failed", reason: "access-denied" }),
    );
    // Without type details the instance might be a GPU box, so its user data is read.
    expect(attributeCalls("userData")).toHaveLength(1);
  });
});

describe("collectEc2Region: user data", () => {
  it("reads user data only for instances worth a look", async () => {
    const oldSmall = rawInstance();
    const oldSmallStopped = rawInstance({ State: { Code: 80, Name: "stopped" } });
    const recent = rawInstance({ LaunchTime: new Date(WINDOW.start.getTime() + 3600 * 1000) });
    const launchedBeforeWindow = rawInstance({ LaunchTime: daysAgo(6) });
    const gpu = rawInstance({ InstanceType: "p3.8xlarge" });
    const neuron = rawInstance({ InstanceType: "inf2.xlarge" });
    const large = rawInstance({ InstanceType: "c5.4xlarge" });
    const terminatedRecent = rawInstance({ LaunchTime: daysAgo(0.5), State: { Code: 48, Name: "terminated" } });
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolves(page([oldSmall, oldSmallStopped, recent, launchedBeforeWindow, gpu, neuron, large, terminatedRecent]));

    await run();

    const worthALook = [recent, launchedBeforeWindow, gpu, neuron, large].map((i) => i.InstanceId as string).sort();
    expect(attributeCalls("userData").sort()).toEqual(worthALook);
    // Termination protection is read for exactly the same instances, never for the rest.
    expect(attributeCalls("disableApiTermination").sort()).toEqual(worthALook);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstanceAttributeCommand, {
      InstanceId: gpu.InstanceId,
      Attribute: "userData",
    });
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({
        api: "DescribeInstanceAttribute",
        status: "ok",
        message: "user data read for 5 instances",
      }),
    );
  });

  it("uses the configured vCPU threshold for large compute", async () => {
    const large = rawInstance({ InstanceType: "c5.4xlarge" });
    ec2Mock.on(DescribeInstancesCommand).resolves(page([rawInstance(), large]));
    await run({ largeComputeVcpus: 32 });
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstanceAttributeCommand);
  });

  it("looks at every instance in a region where nothing is older than 14 days", async () => {
    const a = rawInstance({ LaunchTime: daysAgo(12) });
    const b = rawInstance({ LaunchTime: daysAgo(10) });
    ec2Mock.on(DescribeInstancesCommand).resolves(page([a, b]));
    await run();
    expect(attributeCalls("userData")).toHaveLength(2);
  });

  it("caps the reads per region, most suspicious first, and records the rest as partial", async () => {
    const gpu = rawInstance({ InstanceType: "p3.8xlarge" });
    const large = rawInstance({ InstanceType: "c5.4xlarge" });
    const recent = [1, 2, 3].map((h) => rawInstance({ LaunchTime: new Date(WINDOW_END.getTime() - h * 3600 * 1000) }));
    ec2Mock.on(DescribeInstancesCommand).resolves(page([...recent, large, gpu, rawInstance()]));
    await run({ userDataCap: 3 });
    const mostSuspicious = [gpu.InstanceId, large.InstanceId, recent[0]?.InstanceId].sort();
    expect(attributeCalls("userData").sort()).toEqual(mostSuspicious);
    expect(attributeCalls("disableApiTermination").sort()).toEqual(mostSuspicious);
    expect(coverage.entries).toContainEqual({
      region: REGION,
      service: "ec2",
      api: "DescribeInstanceAttribute:cap",
      status: "partial",
      reason: "not-requested",
      message: expect.stringContaining("3 most suspicious of 5"),
    });
  });

  it("decodes base64 and gzip, redacts secrets and records hash and size of the decoded script", async () => {
    const script = [
      "#!/bin/bash",
      "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
      "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "./xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
    ].join("\n");
    const plain = rawInstance({ InstanceType: "p3.8xlarge" });
    const gzipped = rawInstance({ InstanceType: "p3.8xlarge" });
    ec2Mock.on(DescribeInstancesCommand).resolves(page([plain, gzipped]));
    ec2Mock
      .on(DescribeInstanceAttributeCommand, { InstanceId: plain.InstanceId })
      .resolves({ InstanceId: plain.InstanceId, UserData: { Value: b64(script) } })
      .on(DescribeInstanceAttributeCommand, { InstanceId: gzipped.InstanceId })
      .resolves({ InstanceId: gzipped.InstanceId, UserData: { Value: b64(gzipSync(script)) } });

    const { instances } = await run();

    const expectedHash = createHash("sha256").update(script).digest("hex");
    for (const instance of instances) {
      const userData = instance.userData;
      expect(userData).toBeDefined();
      expect(userData?.sha256).toBe(expectedHash);
      expect(userData?.sizeBytes).toBe(Buffer.byteLength(script));
      expect(userData?.truncated).toBe(false);
      expect(userData?.text).toContain("stratum+tcp://pool.supportxmr.com:3333");
      expect(userData?.text).not.toContain("AKIAIOSFODNN7EXAMPLE");
      expect(userData?.text).not.toContain("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
      expect(userData?.text).toContain("[REDACTED]");
    }
  });

  it("caps the stored text at 16 KiB and flags it", () => {
    const big = `#!/bin/bash\n${"echo filler-line-for-size\n".repeat(2000)}`;
    const userData = decodeUserData(b64(big));
    expect(Buffer.byteLength(userData.text)).toBe(USER_DATA_TEXT_CAP_BYTES);
    expect(userData.truncated).toBe(true);
    expect(userData.sizeBytes).toBe(Buffer.byteLength(big));
    expect(userData.text.startsWith("#!/bin/bash\necho filler")).toBe(true);
  });

  it("stores no user data field when the instance has none", async () => {
    const gpu = rawInstance({ InstanceType: "p3.8xlarge" });
    ec2Mock.on(DescribeInstancesCommand).resolves(page([gpu]));
    const { instances } = await run();
    expect(instances[0]).not.toHaveProperty("userData");
  });

  it("summarizes per-instance failures in one coverage entry and keeps the rest", async () => {
    const ok = rawInstance({ InstanceType: "p3.8xlarge" });
    const denied = [rawInstance({ InstanceType: "p3.8xlarge" }), rawInstance({ InstanceType: "p3.8xlarge" })];
    ec2Mock.on(DescribeInstancesCommand).resolves(page([ok, ...denied]));
    ec2Mock
      .on(DescribeInstanceAttributeCommand)
      .rejects(awsError("UnauthorizedOperation", "You are not authorized to perform this operation."))
      .on(DescribeInstanceAttributeCommand, { InstanceId: ok.InstanceId })
      .resolves({ UserData: { Value: b64("#!/bin/bash\necho hi") } });

    const { instances } = await run();

    expect(instances.find((i) => i.instanceId === ok.InstanceId)?.userData?.text).toBe("#!/bin/bash\necho hi");
    const entries = coverage.entries.filter((e) => e.api === "DescribeInstanceAttribute");
    expect(entries).toEqual([
      expect.objectContaining({
        status: "partial",
        reason: "access-denied",
        message: expect.stringContaining("user data not read for 2 of 3 instances"),
      }),
    ]);
  });

  it("records a failed entry when no user data could be read at all", async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(page([rawInstance({ InstanceType: "p3.8xlarge" })]));
    ec2Mock.on(DescribeInstanceAttributeCommand).rejects(awsError("UnauthorizedOperation", "not authorized"));
    const { instances } = await run();
    expect(instances).toHaveLength(1);
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({ api: "DescribeInstanceAttribute", status: "failed", reason: "access-denied" }),
    );
  });
});

describe("collectEc2Region: termination protection", () => {
  it("stores DisableApiTermination for the instances read for user data", async () => {
    const protectedGpu = rawInstance({ InstanceType: "p3.8xlarge" });
    const unprotectedGpu = rawInstance({ InstanceType: "p3.8xlarge" });
    const oldSmall = rawInstance();
    ec2Mock.on(DescribeInstancesCommand).resolves(page([protectedGpu, unprotectedGpu, oldSmall]));
    ec2Mock
      .on(DescribeInstanceAttributeCommand, { InstanceId: protectedGpu.InstanceId, Attribute: "disableApiTermination" })
      .resolves({ InstanceId: protectedGpu.InstanceId, DisableApiTermination: { Value: true } })
      .on(DescribeInstanceAttributeCommand, {
        InstanceId: unprotectedGpu.InstanceId,
        Attribute: "disableApiTermination",
      })
      .resolves({ InstanceId: unprotectedGpu.InstanceId, DisableApiTermination: { Value: false } });

    const { instances } = await run();

    const byId = new Map(instances.map((i) => [i.instanceId, i]));
    expect(byId.get(protectedGpu.InstanceId as string)?.terminationProtection).toBe(true);
    expect(byId.get(unprotectedGpu.InstanceId as string)?.terminationProtection).toBe(false);
    // Not worth a look, not asked: absent means "not read", never "off".
    expect(byId.get(oldSmall.InstanceId as string)).not.toHaveProperty("terminationProtection");
    expect(coverage.entries).toContainEqual({
      region: REGION,
      service: "ec2",
      api: "DescribeInstanceAttribute:disableApiTermination",
      status: "ok",
      message: "termination protection read for 2 instances",
    });
  });

  it("records denied reads as a coverage entry and keeps the user data", async () => {
    const gpu = rawInstance({ InstanceType: "p3.8xlarge" });
    ec2Mock.on(DescribeInstancesCommand).resolves(page([gpu]));
    ec2Mock
      .on(DescribeInstanceAttributeCommand, { Attribute: "userData" })
      .resolves({ UserData: { Value: b64("#!/bin/bash\necho hi") } })
      .on(DescribeInstanceAttributeCommand, { Attribute: "disableApiTermination" })
      .rejects(awsError("UnauthorizedOperation", "not authorized"));

    const { instances } = await run();

    expect(instances[0]?.userData?.text).toBe("#!/bin/bash\necho hi");
    expect(instances[0]).not.toHaveProperty("terminationProtection");
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({
        api: "DescribeInstanceAttribute:disableApiTermination",
        status: "failed",
        reason: "access-denied",
        message: expect.stringContaining("termination protection not read for 1 of 1 instances"),
      }),
    );
  });
});

/**
 * Throttling goes through the real SDK middleware (aws-sdk-client-mock replaces `send` and would
 * skip retries), so these tests answer at the HTTP layer with EC2's XML.
 */
describe("collectEc2Region: throttling through the SDK retry", () => {
  const THROTTLED_XML =
    "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>req-1</RequestID></Response>";
  const INSTANCES_XML = `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-2</requestId><reservationSet><item><reservationId>r-0123456789abcdef0</reservationId><ownerId>123456789012</ownerId><instancesSet><item><instanceId>i-0a1b2c3d4e5f60718</instanceId><imageId>ami-0abcdef1234567890</imageId><instanceState><code>16</code><name>running</name></instanceState><instanceType>t3.micro</instanceType><launchTime>${daysAgo(60).toISOString()}</launchTime><placement><availabilityZone>eu-west-1a</availabilityZone></placement></item></instancesSet></item></reservationSet></DescribeInstancesResponse>`;
  const TYPES_XML =
    '<DescribeInstanceTypesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-3</requestId><instanceTypeSet><item><instanceType>t3.micro</instanceType><vCpuInfo><defaultVCpus>2</defaultVCpus></vCpuInfo><memoryInfo><sizeInMiB>1024</sizeInMiB></memoryInfo></item></instanceTypeSet></DescribeInstanceTypesResponse>';

  /** Answers DescribeInstances with `throttles` throttling errors first, then the instance list. */
  type HttpHandler = Extract<NonNullable<EC2ClientConfig["requestHandler"]>, { handle: unknown }>;
  function httpHandler(throttles: number): { handler: HttpHandler; calls: () => number } {
    let describeCalls = 0;
    const respond = (statusCode: number, xml: string): { response: HttpResponse } => ({
      response: {
        statusCode,
        headers: { "content-type": "text/xml;charset=UTF-8" },
        body: new TextEncoder().encode(xml),
      },
    });
    const handler: HttpHandler = {
      async handle(request: HttpRequest) {
        const body = String(request.body ?? "");
        if (body.includes("Action=DescribeInstances&")) {
          describeCalls += 1;
          return describeCalls <= throttles ? respond(503, THROTTLED_XML) : respond(200, INSTANCES_XML);
        }
        if (body.includes("Action=DescribeInstanceTypes&")) return respond(200, TYPES_XML);
        return respond(400, THROTTLED_XML.replace("RequestLimitExceeded", "InvalidAction"));
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    };
    return { handler, calls: () => describeCalls };
  }

  /** The SDK's own classification decides what is retried; only the delay is shortened for the test. */
  function fastRetry(maxAttempts: number): RetryStrategyV2 {
    const token = (count: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => 1 });
    return {
      acquireInitialRetryToken: async () => token(0),
      refreshRetryTokenForRetry: async (previous: RetryToken, info: RetryErrorInfo) => {
        const next = previous.getRetryCount() + 1;
        if (info.errorType !== "THROTTLING" || next >= maxAttempts) throw new Error("no retry");
        return token(next);
      },
      recordSuccess: () => {},
    };
  }

  function realClient(throttles: number) {
    const { handler, calls } = httpHandler(throttles);
    const sdk = new EC2Client({
      region: REGION,
      credentials: { accessKeyId: "AKIDTESTONLY", secretAccessKey: "test-only-secret" },
      requestHandler: handler,
      maxAttempts: 3,
      retryStrategy: fastRetry(3),
    });
    return { sdk, calls };
  }

  it("retries RequestLimitExceeded and keeps the result", async () => {
    const { sdk, calls } = realClient(2);
    const { instances } = await collectEc2Region({ client: sdk, region: REGION, window: WINDOW, coverage });
    expect(calls()).toBe(3);
    expect(instances.map((i) => i.instanceId)).toEqual(["i-0a1b2c3d4e5f60718"]);
    expect(coverage.entries).toContainEqual(expect.objectContaining({ api: "DescribeInstances", status: "ok" }));
  });

  it("records throttling that outlasts the retries as a throttled gap", async () => {
    const { sdk, calls } = realClient(10);
    const { instances } = await collectEc2Region({ client: sdk, region: REGION, window: WINDOW, coverage });
    expect(calls()).toBe(3);
    expect(instances).toEqual([]);
    expect(coverage.entries).toEqual([
      expect.objectContaining({ api: "DescribeInstances", status: "failed", reason: "throttled" }),
    ]);
  });
});
