import {
  type Finding,
  GetDetectorCommand,
  GetFindingsCommand,
  GuardDutyClient,
  GuardDutyServiceException,
  ListDetectorsCommand,
  ListFindingsCommand,
} from "@aws-sdk/client-guardduty";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { ClientFactory } from "../../lambda/collect/clients.js";
import { CoverageRecorder } from "../../lambda/collect/coverage.js";
import {
  collectGuardDutyRegion,
  GET_FINDINGS_BATCH,
  guardDutyCollector,
  toFinding,
} from "../../lambda/collect/guardduty.js";
import type { SectionContext } from "../../lambda/collect/sections.js";
import { ConfigSchema } from "../../lambda/core/config.js";
import { MINING_FINDING_TYPES } from "../../lambda/core/sections/guardduty.js";
import { fakeClientFactory } from "../support/fake-clients.js";

const REGION = "us-east-1";
const WINDOW = { start: new Date("2026-03-09T06:00:00.000Z"), end: new Date("2026-03-10T06:00:00.000Z") };
const DETECTOR = "12abc34d567e8fa901bc2d34e56789f0";
const TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/miner-cluster/0f3a9b1c2d4e4f5a8b6c7d8e9f0a1b2c";
const CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/miner-cluster";

function denied(): GuardDutyServiceException {
  return new GuardDutyServiceException({
    name: "AccessDeniedException",
    $fault: "client",
    $metadata: {},
    message: "User is not authorized to perform: guardduty:ListDetectors",
  });
}

/** A finding as GetFindings returns it for a miner in a Fargate task (Runtime Monitoring). */
function runtimeFinding(n: number): Finding {
  return {
    AccountId: "123456789012",
    Arn: `arn:aws:guardduty:us-east-1:123456789012:detector/${DETECTOR}/finding/f${n}`,
    CreatedAt: "2026-03-09T21:14:03.512Z",
    Id: `f${n}`,
    Partition: "aws",
    Region: REGION,
    SchemaVersion: "2.0",
    Severity: 8,
    Title: "A cryptocurrency miner was executed in a container.",
    Type: "Impact:Runtime/CryptoMinerExecuted",
    UpdatedAt: "2026-03-10T05:40:00.000Z",
    Resource: {
      ResourceType: "ECSCluster",
      EcsClusterDetails: {
        Arn: CLUSTER_ARN,
        Name: "miner-cluster",
        TaskDetails: { Arn: TASK_ARN, DefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3" },
      },
    },
    Service: {
      Archived: false,
      Count: 14,
      EventFirstSeen: "2026-03-09T21:10:00.000Z",
      EventLastSeen: "2026-03-10T05:39:00.000Z",
      ServiceName: "guardduty",
    },
  };
}

const client = new GuardDutyClient({ region: REGION });
const gd = mockClient(client);

beforeEach(() => {
  gd.reset();
});

function enabledDetector(): void {
  gd.on(ListDetectorsCommand).resolves({ DetectorIds: [DETECTOR] });
  gd.on(GetDetectorCommand).resolves({
    Status: "ENABLED",
    ServiceRole:
      "arn:aws:iam::123456789012:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
    Features: [
      {
        Name: "RUNTIME_MONITORING",
        Status: "ENABLED",
        AdditionalConfiguration: [
          { Name: "ECS_FARGATE_AGENT_MANAGEMENT", Status: "ENABLED" },
          { Name: "EKS_ADDON_MANAGEMENT", Status: "DISABLED" },
        ],
      },
      { Name: "LAMBDA_NETWORK_LOGS", Status: "DISABLED" },
    ],
  });
}

describe("GuardDuty collector", () => {
  it("reads the detector with its features and the mining findings of the window", async () => {
    enabledDetector();
    gd.on(ListFindingsCommand).resolves({ FindingIds: ["f1"] });
    gd.on(GetFindingsCommand).resolves({ Findings: [runtimeFinding(1)] });
    const coverage = new CoverageRecorder();

    const result = await collectGuardDutyRegion({ client, region: REGION, window: WINDOW, coverage });

    expect(result.checked).toBe(true);
    expect(result.detectors).toEqual([
      {
        region: REGION,
        detectorId: DETECTOR,
        status: "ENABLED",
        features: {
          RUNTIME_MONITORING: "ENABLED",
          "RUNTIME_MONITORING/ECS_FARGATE_AGENT_MANAGEMENT": "ENABLED",
          "RUNTIME_MONITORING/EKS_ADDON_MANAGEMENT": "DISABLED",
          LAMBDA_NETWORK_LOGS: "DISABLED",
        },
      },
    ]);
    expect(result.findings).toEqual([
      {
        id: "f1",
        region: REGION,
        type: "Impact:Runtime/CryptoMinerExecuted",
        severity: 8,
        title: "A cryptocurrency miner was executed in a container.",
        resourceType: "ECSCluster",
        resourceId: TASK_ARN,
        clusterArn: CLUSTER_ARN,
        archived: false,
        firstSeen: "2026-03-09T21:10:00.000Z",
        lastSeen: "2026-03-10T05:39:00.000Z",
        count: 14,
      },
    ]);
    expect(gd).toHaveReceivedCommandWith(ListFindingsCommand, {
      DetectorId: DETECTOR,
      MaxResults: 50,
      FindingCriteria: {
        Criterion: {
          type: { Equals: [...MINING_FINDING_TYPES] },
          updatedAt: { GreaterThanOrEqual: WINDOW.start.getTime() },
        },
      },
    });
    expect(coverage.entries.every((e) => e.status === "ok")).toBe(true);
  });

  it("asks for every mining type GuardDuty documents, and nothing else", () => {
    expect(MINING_FINDING_TYPES).toEqual(
      expect.arrayContaining([
        "CryptoCurrency:EC2/BitcoinTool.B",
        "CryptoCurrency:EC2/BitcoinTool.B!DNS",
        "Impact:EC2/BitcoinDomainRequest.Reputation",
        "CryptoCurrency:Runtime/BitcoinTool.B",
        "CryptoCurrency:Runtime/BitcoinTool.B!DNS",
        "Impact:Runtime/CryptoMinerExecuted",
        "CryptoCurrency:Lambda/BitcoinTool.B",
      ]),
    );
    expect(MINING_FINDING_TYPES.every((t) => /^(CryptoCurrency|Impact):/.test(t))).toBe(true);
  });

  it("follows ListFindings pages and fetches findings in batches of 50", async () => {
    enabledDetector();
    const ids = Array.from({ length: 120 }, (_, k) => `f${k}`);
    gd.on(ListFindingsCommand)
      .resolvesOnce({ FindingIds: ids.slice(0, 50), NextToken: "p2" })
      .resolvesOnce({ FindingIds: ids.slice(50, 100), NextToken: "p3" })
      .resolvesOnce({ FindingIds: ids.slice(100) });
    gd.on(GetFindingsCommand).callsFake((input: { FindingIds: string[] }) => ({
      Findings: input.FindingIds.map((id) => ({ ...runtimeFinding(0), Id: id })),
    }));
    const coverage = new CoverageRecorder();

    const result = await collectGuardDutyRegion({ client, region: REGION, window: WINDOW, coverage });

    expect(result.findings.map((f) => f.id)).toEqual(ids);
    expect(gd).toHaveReceivedCommandTimes(ListFindingsCommand, 3);
    const batches = gd.commandCalls(GetFindingsCommand).map((c) => c.args[0].input.FindingIds?.length);
    expect(batches).toEqual([GET_FINDINGS_BATCH, GET_FINDINGS_BATCH, 20]);
  });

  it("stops at the findings cap and records the rest as a partial read", async () => {
    enabledDetector();
    gd.on(ListFindingsCommand)
      .resolvesOnce({ FindingIds: ["a", "b"], NextToken: "p2" })
      .resolvesOnce({ FindingIds: ["c", "d"], NextToken: "p3" });
    gd.on(GetFindingsCommand).callsFake((input: { FindingIds: string[] }) => ({
      Findings: input.FindingIds.map((id) => ({ ...runtimeFinding(0), Id: id })),
    }));
    const coverage = new CoverageRecorder();

    const result = await collectGuardDutyRegion({ client, region: REGION, window: WINDOW, coverage, findingsCap: 3 });

    expect(result.findings.map((f) => f.id)).toEqual(["a", "b", "c"]);
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({ region: REGION, api: "ListFindings", status: "partial", reason: "not-requested" }),
    );
  });

  it("lists a region without a detector as checked, with GuardDuty off", async () => {
    gd.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    const coverage = new CoverageRecorder();

    const result = await collectGuardDutyRegion({ client, region: REGION, window: WINDOW, coverage });

    expect(result).toEqual({ checked: true, detectors: [], findings: [] });
    expect(gd).not.toHaveReceivedCommand(ListFindingsCommand);
    expect(coverage.entries).toEqual([
      expect.objectContaining({ api: "ListDetectors", status: "ok", message: expect.stringContaining("off") }),
    ]);
  });

  it("turns AccessDenied into a coverage entry and leaves the region unchecked", async () => {
    gd.on(ListDetectorsCommand).rejects(denied());
    const coverage = new CoverageRecorder();

    const result = await collectGuardDutyRegion({ client, region: REGION, window: WINDOW, coverage });

    expect(result.checked).toBe(false);
    expect(coverage.entries).toEqual([
      expect.objectContaining({
        region: REGION,
        service: "guardduty",
        api: "ListDetectors",
        status: "failed",
        reason: "access-denied",
      }),
    ]);
  });

  it("keeps the findings but not the region when GetDetector is denied", async () => {
    gd.on(ListDetectorsCommand).resolves({ DetectorIds: [DETECTOR] });
    gd.on(GetDetectorCommand).rejects(denied());
    gd.on(ListFindingsCommand).resolves({ FindingIds: ["f1"] });
    gd.on(GetFindingsCommand).resolves({ Findings: [runtimeFinding(1)] });
    const coverage = new CoverageRecorder();

    const result = await collectGuardDutyRegion({ client, region: REGION, window: WINDOW, coverage });

    expect(result.checked).toBe(false);
    expect(result.findings).toHaveLength(1);
    expect(coverage.entries).toContainEqual(expect.objectContaining({ api: "GetDetector", status: "failed" }));
  });

  it("names the most specific resource: instance, task, function", () => {
    const ec2 = toFinding(
      {
        ...runtimeFinding(2),
        Type: "CryptoCurrency:EC2/BitcoinTool.B!DNS",
        Resource: {
          ResourceType: "Instance",
          InstanceDetails: { InstanceId: "i-0a1b2c3d4e5f60718" },
          AccessKeyDetails: { AccessKeyId: "ASIAEXAMPLEKEY000001" },
        },
      },
      REGION,
    );
    expect(ec2).toMatchObject({ instanceId: "i-0a1b2c3d4e5f60718", accessKeyId: "ASIAEXAMPLEKEY000001" });
    const lambda = toFinding(
      {
        ...runtimeFinding(3),
        Type: "CryptoCurrency:Lambda/BitcoinTool.B",
        Resource: {
          ResourceType: "Lambda",
          LambdaDetails: {
            FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:thumbs",
            FunctionName: "thumbs",
          },
        },
      },
      REGION,
    );
    expect(lambda).toMatchObject({ resourceId: "arn:aws:lambda:us-east-1:123456789012:function:thumbs" });
    expect(toFinding({ ...runtimeFinding(4), Id: undefined }, REGION)).toBeUndefined();
  });

  it("reads every audited region and lists only the regions it could read", async () => {
    const denying = new GuardDutyClient({ region: "eu-west-1" });
    const denyingMock = mockClient(denying);
    denyingMock.on(ListDetectorsCommand).rejects(denied());
    gd.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    const clients: ClientFactory = fakeClientFactory({
      guardDuty: (region) => (region === "eu-west-1" ? denying : client),
    });
    const coverage = new CoverageRecorder();
    const context: SectionContext = {
      clients,
      config: ConfigSchema.parse({}),
      window: WINDOW,
      accountId: "123456789012",
      regions: ["us-east-1", "eu-west-1"],
      instances: [],
      coverage,
      progress: () => {},
    };

    const sections = await guardDutyCollector.collect(context);

    expect(sections.guardDuty?.regionsChecked).toEqual(["us-east-1"]);
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({ region: "eu-west-1", api: "ListDetectors", status: "failed" }),
    );
  });
});
