/**
 * One finding per incident across services and regions: a leaked key's EC2 wave, Fargate tasks,
 * SageMaker notebook, Auto Scaling group and IAM backdoor are one incident, named to the key that
 * made them, with containment in the order that stops the bleeding. Signals are hand-made, so these
 * tests pin correlation, not the rules.
 */
import { describe, expect, it } from "vitest";
import { auditSnapshot } from "../../lambda/core/audit.js";
import { ConfigSchema } from "../../lambda/core/config.js";
import { buildProfile } from "../../lambda/core/profile.js";
import type { CloudTrailEvent } from "../../lambda/core/sections/cloudtrail.js";
import type { AccountSnapshot } from "../../lambda/core/snapshot.js";
import { containmentSteps } from "../../lambda/correlate/containment.js";
import { correlate, type Incident, RULE } from "../../lambda/correlate/correlate.js";
import { renderReport } from "../../lambda/report/render.js";
import type { Rule, Severity, Signal } from "../../lambda/rules/types.js";
import {
  ACCOUNT_ID,
  buildSnapshot,
  daysAgo,
  fleet,
  hoursAgo,
  instance,
  minutesAgo,
} from "../support/snapshot-builder.js";

const USER = "ci-deploy";
const USER_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/${USER}`;
const KEY = "AKIA4LEAKEDKEY000001";
const IP = "185.220.101.7";
const AGENT = "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#5.15.0";
const TASKS = [
  `arn:aws:ecs:ap-south-1:${ACCOUNT_ID}:task/jobs/0a1b2c3d4e5f60718293a4b5c6d7e8f9`,
  `arn:aws:ecs:ap-south-1:${ACCOUNT_ID}:task/jobs/1a1b2c3d4e5f60718293a4b5c6d7e8f9`,
];
const NOTEBOOK = "analysis-gpu";
const ASG = "workers";

let eventSerial = 0;
function event(
  name: string,
  at: string,
  region: string,
  resources: { type?: string; id: string }[],
  request: Record<string, string> = {},
): CloudTrailEvent {
  eventSerial += 1;
  return {
    eventId: `evt-${String(eventSerial).padStart(4, "0")}`,
    eventTime: at,
    eventName: name,
    eventSource: "ec2.amazonaws.com",
    region,
    principal: { type: "IAMUser", arn: USER_ARN, accountId: ACCOUNT_ID, userName: USER, accessKeyId: KEY },
    sourceIpAddress: IP,
    userAgent: AGENT,
    resources,
    request,
  };
}

function signal(
  ruleId: string,
  type: string,
  id: string,
  region: string,
  severity: Severity,
  details?: Signal["details"],
): Signal {
  return {
    ruleId,
    resource: { type, id, region },
    severity,
    message: `${ruleId} on ${id}`,
    ...(details ? { details } : {}),
  };
}

/**
 * The campaign: 3 GPU instances in sa-east-1 (one protected from termination), an Auto Scaling group
 * there owning a 4th instance nobody flagged, 2 Fargate tasks in ap-south-1, a notebook in
 * eu-north-1, a backdoor IAM user; plus the account's own web server and a capped miner on batch
 * nodes in eu-west-1 that have nothing to do with the key.
 */
function campaign(): { snapshot: AccountSnapshot; signals: Signal[]; waveIds: string[]; asgOnlyId: string } {
  const wave = fleet(
    3,
    { region: "sa-east-1", instanceType: "p3.16xlarge", launchTime: minutesAgo(300), tags: {} },
    { firstIndex: 10, spacingMinutes: 1 },
  );
  const protectedWave = wave.map((i, k) => (k === 0 ? { ...i, terminationProtection: true } : i));
  const asgInstance = instance({
    instanceId: "i-0a1b2c3d4e00000aa",
    region: "sa-east-1",
    instanceType: "c5.4xlarge",
    launchTime: minutesAgo(240),
    autoScalingGroup: ASG,
    tags: {},
  });
  const batch = fleet(
    2,
    { region: "eu-west-1", instanceType: "m5.xlarge", launchTime: daysAgo(200), tags: { Name: "batch" } },
    { firstIndex: 40 },
  );
  const waveIds = wave.map((i) => i.instanceId);
  const events: CloudTrailEvent[] = [
    event(
      "RunInstances",
      minutesAgo(301),
      "sa-east-1",
      waveIds.map((id) => ({ type: "AWS::EC2::Instance", id })),
    ),
    event("ModifyInstanceAttribute", minutesAgo(299), "sa-east-1", [], {
      instanceId: waveIds[0] ?? "",
      disableApiTermination: "true",
    }),
    event("CreateAutoScalingGroup", minutesAgo(245), "sa-east-1", [
      { type: "AWS::AutoScaling::AutoScalingGroup", id: ASG },
    ]),
    event(
      "RunTask",
      minutesAgo(200),
      "ap-south-1",
      TASKS.map((id) => ({ type: "AWS::ECS::Task", id })),
    ),
    event("CreateNotebookInstance", minutesAgo(180), "eu-north-1", [
      {
        type: "AWS::SageMaker::NotebookInstance",
        id: `arn:aws:sagemaker:eu-north-1:${ACCOUNT_ID}:notebook-instance/${NOTEBOOK}`,
      },
    ]),
    event("CreateUser", minutesAgo(170), "us-east-1", [{ type: "AWS::IAM::User", id: "backup-admin" }], {
      userName: "backup-admin",
    }),
    event("CreateAccessKey", minutesAgo(169), "us-east-1", [], {
      userName: "backup-admin",
      accessKeyId: "AKIA4BACKDOORKEY0001",
    }),
  ];
  const snapshot = buildSnapshot({
    instances: [instance({ launchTime: daysAgo(90) }), ...protectedWave, asgInstance, ...batch],
    cloudTrail: {
      regionsRead: ["sa-east-1", "ap-south-1", "eu-north-1", "us-east-1"],
      eventNames: [],
      events,
      truncated: [],
    },
    ecs: {
      regionsRead: ["ap-south-1"],
      clusters: [],
      taskDefinitions: [],
      tasks: TASKS.map((taskArn) => ({
        taskArn,
        clusterArn: `arn:aws:ecs:ap-south-1:${ACCOUNT_ID}:cluster/jobs`,
        region: "ap-south-1",
        taskDefinitionArn: `arn:aws:ecs:ap-south-1:${ACCOUNT_ID}:task-definition/worker:1`,
        launchType: "FARGATE",
        cpu: 4096,
        lastStatus: "RUNNING",
        startedAt: minutesAgo(199),
      })),
    },
    relaunch: {
      regionsRead: ["sa-east-1"],
      autoScalingGroups: [
        {
          name: ASG,
          region: "sa-east-1",
          createdTime: minutesAgo(245),
          minSize: 1,
          maxSize: 5,
          desiredCapacity: 1,
          instanceTypes: ["c5.4xlarge"],
          instanceIds: [asgInstance.instanceId],
          tags: {},
        },
      ],
      launchTemplates: [],
      spotRequests: [],
      fleets: [],
    },
  });
  const signals: Signal[] = [
    ...waveIds.flatMap((id) => [
      signal(RULE.unusedRegion, "ec2-instance", id, "sa-east-1", "medium"),
      signal(RULE.launchWave, "ec2-instance", id, "sa-east-1", "high", { waveId: "wave-1" }),
    ]),
    signal("MW-RELAUNCH-MACHINERY", "autoscaling-group", ASG, "sa-east-1", "medium", {
      instanceIds: [asgInstance.instanceId],
    }),
    ...TASKS.map((id) => signal("MW-ECS-MINER-IMAGE", "ecs-task", id, "ap-south-1", "critical")),
    signal("MW-SAGEMAKER-LIFECYCLE-MINER", "sagemaker-notebook", NOTEBOOK, "eu-north-1", "high"),
    signal("MW-PRINCIPAL-IAM-PERSISTENCE", "principal", USER_ARN, "global", "medium", {
      principalArn: USER_ARN,
      accessKeyIds: [KEY],
      sourceIps: [IP],
    }),
    ...batch.map((i) =>
      signal(RULE.cpuFlatShift, "ec2-instance", i.instanceId, "eu-west-1", "high", { shiftStart: hoursAgo(70) }),
    ),
  ];
  return { snapshot, signals, waveIds, asgOnlyId: asgInstance.instanceId };
}

function correlateAll(snapshot: AccountSnapshot, signals: readonly Signal[]): Incident[] {
  return correlate({ signals, snapshot, profile: buildProfile(snapshot, ConfigSchema.parse({})) });
}

function incidentWith(incidents: Incident[], resourceId: string): Incident {
  const found = incidents.filter(
    (i) => i.instances.some((x) => x.instanceId === resourceId) || i.otherResources.some((r) => r.id === resourceId),
  );
  expect(found, resourceId).toHaveLength(1);
  return found[0] as Incident;
}

describe("one incident per principal across services and regions", () => {
  it("joins the EC2 wave, the ASG and its instance, the ECS tasks, the notebook and the principal into one finding", () => {
    const { snapshot, signals, waveIds, asgOnlyId } = campaign();
    const incidents = correlateAll(snapshot, signals);
    const incident = incidentWith(incidents, waveIds[0] ?? "");
    for (const id of [...waveIds, asgOnlyId, ...TASKS, NOTEBOOK, ASG, USER_ARN]) {
      expect(incidentWith(incidents, id).id, id).toBe(incident.id);
    }
    expect(incident.kind).toBe("new-compute");
    expect(incident.regions).toEqual(["ap-south-1", "eu-north-1", "sa-east-1"]);
    expect(incident.title).toBe(
      "Crypto mining: 4 GPU/compute instances, 2 ECS tasks, 1 Auto Scaling group and 1 SageMaker notebook in 3 unused regions",
    );
    expect(incident.severity).toBe("critical");
    // The unrelated capped miner stays its own incident, dated by its CPU shift, not its launch.
    const batch = incidents.find((i) => i.kind === "existing-compute");
    expect(batch?.id).not.toBe(incident.id);
    expect(batch?.firstSeen).toBe(hoursAgo(70));
  });

  it("names who launched it: principal, key, source IP, user agent and first call", () => {
    const { snapshot, signals, waveIds } = campaign();
    const incident = incidentWith(correlateAll(snapshot, signals), waveIds[0] ?? "");
    expect(incident.attribution).toEqual([
      expect.objectContaining({
        principalType: "IAMUser",
        principalArn: USER_ARN,
        userName: USER,
        accessKeyIds: [KEY],
        sourceIps: [IP],
        userAgents: [AGENT],
        firstCallAt: minutesAgo(301),
      }),
    ]);
    expect(incident.firstSeen).toBe(minutesAgo(301));
    expect(incident.summary).toContain(
      `Launched by ${USER_ARN} (key ${KEY}, from ${IP}, Boto3/1.34.0) at ${minutesAgo(301)}.`,
    );
    expect(incident.persistence.users).toEqual(["backup-admin"]);
  });

  it.each([
    ["in reverse order", (s: Signal[]) => [...s].reverse()],
    ["without the principal signal", (s: Signal[]) => s.filter((x) => x.resource.type !== "principal")],
    ["without the notebook", (s: Signal[]) => s.filter((x) => x.resource.id !== NOTEBOOK)],
  ])("keeps the incident id stable %s", (_name, change) => {
    const { snapshot, signals, waveIds } = campaign();
    const before = incidentWith(correlateAll(snapshot, signals), waveIds[0] ?? "").id;
    expect(incidentWith(correlateAll(snapshot, change(signals)), waveIds[0] ?? "").id).toBe(before);
  });

  it.each<[string, string[], number]>([
    // Without CloudTrail: tasks of one rule in one region are one campaign; other regions or rules are not.
    ["same service, region and rule", ["ap-south-1", "ap-south-1"], 1],
    ["same service and rule, two regions", ["ap-south-1", "eu-north-1"], 2],
  ])("groups unattributed ECS tasks by service, region and rule: %s", (_name, regions, expected) => {
    const snapshot = buildSnapshot({ instances: [] });
    const signals = regions.map((region, k) => signal("MW-ECS-MINER-IMAGE", "ecs-task", `task-${k}`, region, "high"));
    const incidents = correlateAll(snapshot, signals);
    expect(incidents).toHaveLength(expected);
    expect(incidents.every((i) => i.attribution.length === 0)).toBe(true);
  });

  it("joins a principal signal to what the principal launched, and keeps a principal alone as its own finding", () => {
    const { snapshot, signals } = campaign();
    const stranger = "arn:aws:iam::123456789012:user/someone-else";
    const incidents = correlateAll(snapshot, [
      ...signals,
      signal("MW-PRINCIPAL-PROBING", "principal", stranger, "global", "medium", {
        principalArn: stranger,
        accessKeyIds: ["AKIA4OTHERKEY0000001"],
      }),
    ]);
    const alone = incidentWith(incidents, stranger);
    expect(alone.kind).toBe("principal");
    expect(alone.attribution[0]).toEqual(
      expect.objectContaining({ principalArn: stranger, accessKeyIds: ["AKIA4OTHERKEY0000001"] }),
    );
    const steps = containmentSteps(alone, snapshot.window, snapshot);
    expect(steps[0]?.command).toBe(
      "aws iam update-access-key --user-name someone-else --access-key-id AKIA4OTHERKEY0000001 --status Inactive",
    );
  });
});

describe("containment order for a leaked-key incident", () => {
  function steps() {
    const { snapshot, signals, waveIds } = campaign();
    const incident = incidentWith(correlateAll(snapshot, signals), waveIds[0] ?? "");
    return { steps: containmentSteps(incident, snapshot.window, snapshot), waveIds };
  }
  const indexOf = (list: { command: string }[], text: string) => list.findIndex((s) => s.command.includes(text));

  it("deactivates the named key, removes relaunch machinery, protection, snapshots, stops, then removes the backdoor", () => {
    const { steps: list } = steps();
    expect(list[0]?.command).toBe(
      `aws iam update-access-key --user-name ${USER} --access-key-id ${KEY} --status Inactive`,
    );
    const order = [
      "update-access-key",
      "update-auto-scaling-group --region sa-east-1 --auto-scaling-group-name workers --min-size 0 --max-size 0 --desired-capacity 0",
      "--no-disable-api-termination",
      "create-snapshots",
      "aws ec2 stop-instances --region sa-east-1",
      "delete-user --user-name backup-admin",
      "terminate-instances",
    ].map((text) => indexOf(list, text));
    expect(
      order.every((index) => index >= 0),
      JSON.stringify(order),
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(new Set(order).size).toBe(order.length);
    expect(list.map((s) => Number.parseInt(s.description, 10))).toEqual(list.map((_, k) => k + 1));
    expect(list.map((s) => s.command).join("\n")).not.toContain("<USER>");
  });

  it("stops the ECS tasks per cluster and deletes the notebook in the stop step, after the evidence", () => {
    const { steps: list } = steps();
    const stop = list[indexOf(list, "stop-instances")]?.command ?? "";
    expect(stop).toContain(
      `for task in 0a1b2c3d4e5f60718293a4b5c6d7e8f9 1a1b2c3d4e5f60718293a4b5c6d7e8f9; do aws ecs stop-task --region ap-south-1 --cluster arn:aws:ecs:ap-south-1:${ACCOUNT_ID}:cluster/jobs --task $task`,
    );
    expect(stop).toContain(
      `aws sagemaker delete-notebook-instance --region eu-north-1 --notebook-instance-name ${NOTEBOOK}`,
    );
    expect(indexOf(list, "describe-task-definition")).toBeLessThan(indexOf(list, "aws ecs stop-task"));
  });

  it("removes termination protection only where it is set", () => {
    const { steps: list, waveIds } = steps();
    const protection = list[indexOf(list, "--no-disable-api-termination")]?.command ?? "";
    expect(protection).toBe(
      `aws ec2 modify-instance-attribute --region sa-east-1 --instance-id ${waveIds[0]} --no-disable-api-termination`,
    );
  });

  it.each([
    [
      "persistent spot request",
      "spot-request",
      "sir-0123abcd",
      "aws ec2 cancel-spot-instance-requests --region sa-east-1 --spot-instance-request-ids sir-0123abcd",
    ],
    [
      "spot fleet",
      "spot-fleet",
      "sfr-0123",
      "aws ec2 cancel-spot-fleet-requests --region sa-east-1 --spot-fleet-request-ids sfr-0123 --no-terminate-instances",
    ],
    [
      "EC2 fleet",
      "ec2-fleet",
      "fleet-0123",
      "aws ec2 delete-fleets --region sa-east-1 --fleet-ids fleet-0123 --no-terminate-instances",
    ],
  ])("joins a %s to the instances it owns and removes it before stopping them", (_name, type, id, command) => {
    const snapshot = buildSnapshot({
      instances: fleet(
        2,
        { region: "sa-east-1", instanceType: "c5.4xlarge", launchTime: minutesAgo(60), tags: {} },
        { firstIndex: 70 },
      ),
    });
    const ids = snapshot.instances.map((i) => i.instanceId);
    const incidents = correlateAll(snapshot, [
      signal(RULE.unusedRegion, "ec2-instance", ids[0] ?? "", "sa-east-1", "medium"),
      signal("MW-RELAUNCH-MACHINERY", type, id, "sa-east-1", "medium", { instanceIds: ids }),
    ]);
    expect(incidents).toHaveLength(1);
    const incident = incidents[0] as Incident;
    expect(incident.instances.map((i) => i.instanceId).sort()).toEqual([...ids].sort());
    const list = containmentSteps(incident, snapshot.window, snapshot);
    expect(indexOf(list, command)).toBeGreaterThan(0);
    expect(indexOf(list, command)).toBeLessThan(indexOf(list, "stop-instances"));
  });
});

describe("findings from the audit", () => {
  const rulesFrom = (signals: Signal[]): Rule[] =>
    [...new Set(signals.map((s) => s.ruleId))].map((id) => ({
      id,
      title: id,
      severity: "high",
      category: "indicator",
      rationale: "test",
      recommendation: "test",
      evaluate: () => signals.filter((s) => s.ruleId === id),
    }));

  function audit() {
    const { snapshot, signals, waveIds } = campaign();
    const gpuGap: Signal = signal(RULE.coverageGap, "coverage", "cloudwatch:gpu-metrics", "sa-east-1", "info", {
      reason: "agent-missing",
      error: `No nvidia_smi_utilization_gpu metric in CWAgent for 3 GPU instances (${waveIds.join(", ")})`,
    });
    const report = auditSnapshot(snapshot, ConfigSchema.parse({}), {
      generatedAt: new Date(snapshot.window.end),
      rules: rulesFrom([...signals, gpuGap]),
    });
    return { report, waveIds };
  }

  it("carries attribution, folds the GPU agent gap into the incident, and keeps pricing out of Why", () => {
    const { report, waveIds } = audit();
    const finding = report.findings.find((f) => f.resources.some((r) => r.id === waveIds[0]));
    expect(finding?.attribution?.[0]?.principalArn).toBe(USER_ARN);
    expect(report.findings.filter((f) => f.title.startsWith("Not audited"))).toEqual([]);
    expect(finding?.evidence.filter((e) => e.kind === "coverage").map((e) => e.ruleId)).toEqual([RULE.coverageGap]);
    const table = renderReport(report, "table");
    expect(table).toContain(`Launched by: ${USER_ARN} (key ${KEY}, from ${IP}, Boto3/1.34.0) at ${minutesAgo(301)}`);
    expect(renderReport(report, "markdown")).toContain(`- **Launched by:** ${USER_ARN} (key ${KEY}`);
    expect(table).not.toMatch(/- pricing \[/);
    expect(table).toContain("Not visible: MW-COVERAGE-GAP on cloudwatch:gpu-metrics");
  });

  it("reports a capped miner's capacity cost, not the nodes' cost since launch, and dates it by the shift", () => {
    const { report } = audit();
    const batch = report.findings.find((f) => f.rules.includes(RULE.cpuFlatShift));
    expect(batch?.firstSeen).toBe(hoursAgo(70));
    expect(batch?.estimatedCostSoFarUsd).toBeNull();
    expect(batch?.estimatedHourlyCostUsd).toBeNull();
    expect(batch?.capacityHourlyCostUsd).toBeGreaterThan(0);
    expect(renderReport(report, "table")).toMatch(/Capacity: {3}\$0\.\d\d\/h for the affected instances/);
  });

  it("keeps a coverage gap about instances in no incident as its own finding, with steps that match its reason", () => {
    const snapshot = buildSnapshot({
      instances: [instance({ instanceId: "i-0a1b2c3d4e000bbbb", region: "us-east-2", instanceType: "g5.xlarge" })],
    });
    const gap = signal(RULE.coverageGap, "coverage", "cloudwatch:gpu-metrics", "us-east-2", "info", {
      reason: "agent-missing",
      error: "No nvidia_smi_utilization_gpu metric in CWAgent for 1 GPU instance (i-0a1b2c3d4e000bbbb)",
    });
    const [incident, ...rest] = correlateAll(snapshot, [gap]);
    expect(rest).toEqual([]);
    expect(incident?.kind).toBe("coverage");
    const steps = containmentSteps(incident as Incident, snapshot.window, snapshot);
    expect(steps.map((s) => s.command)).toEqual([
      "aws ssm send-command --region us-east-2 --document-name AWS-ConfigureAWSPackage --parameters action=Install,name=AmazonCloudWatchAgent --instance-ids i-0a1b2c3d4e000bbbb",
    ]);
  });
});
