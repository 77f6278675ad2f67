/**
 * Containment: the AWS CLI commands a responder copies, in the order that keeps evidence and stops
 * the bleeding. Minewatch never runs them (read-only by design); it writes them out.
 *
 * Order matters. For a leaked key: find who launched it, cut the key off (deactivate, not delete,
 * so it can be investigated), remove what relaunches instances, keep disk evidence, then stop, and
 * terminate only once evidence is safe. For a miner inside existing compute (the Tesla case): look
 * inside first, keep evidence, then rotate the workload's credentials.
 *
 * Commands are grouped per region so they stay copyable for a fleet of hundreds: one stop command
 * per region, one loop per region where the API takes a single instance.
 */
import type { Instance } from "../core/snapshot.js";
import type { ContainmentStep } from "../report/model.js";
import type { Incident } from "./correlate.js";

/** Beyond this many ids a command lists them from a shell variable set on its own line. */
const INLINE_IDS = 20;

export function containmentSteps(incident: Incident, window: { start: string; end: string }): ContainmentStep[] {
  switch (incident.kind) {
    case "new-compute":
      return newComputeSteps(incident);
    case "existing-compute":
      return existingComputeSteps(incident);
    case "gpu-not-visible":
      return gpuVisibilitySteps(incident);
    case "cost":
      return costSteps(incident, window);
    case "coverage":
      return coverageSteps(incident);
    default:
      return [];
  }
}

function newComputeSteps(incident: Incident): ContainmentStep[] {
  const byRegion = instancesByRegion(targetsOf(incident));
  const steps: ContainmentStep[] = [];

  steps.push({
    description:
      "1. Find who launched it: CloudTrail shows the RunInstances call with the IAM principal, access key id and source IP (event history covers 90 days). Do this first, while the trail is fresh.",
    command: [...byRegion]
      .map(
        ([region, instances]) =>
          `aws cloudtrail lookup-events --region ${region} --lookup-attributes AttributeKey=ResourceName,AttributeValue=${instances[0]?.instanceId} --max-results 50`,
      )
      .join("\n"),
  });
  steps.push({
    description:
      "2. Deactivate the access key found in step 1 (deactivate, do not delete: it stays available for the investigation and can be re-enabled if it was the wrong key). If it was a role session, revoke the role's active sessions instead.",
    command: "aws iam update-access-key --user-name <USER> --access-key-id <ACCESS_KEY_ID> --status Inactive",
  });

  const groups = [
    ...new Set(incident.instances.flatMap((i) => (i.autoScalingGroup ? [`${i.region}\t${i.autoScalingGroup}`] : []))),
  ]
    .sort()
    .map((key) => key.split("\t") as [string, string]);
  if (groups.length > 0) {
    steps.push({
      description:
        "3. Remove the relaunch machinery: an Auto Scaling group replaces every instance you stop or terminate. Scale it to zero (keep the group itself as evidence).",
      command: groups
        .map(
          ([region, name]) =>
            `aws autoscaling update-auto-scaling-group --region ${region} --auto-scaling-group-name ${shellQuote(name)} --min-size 0 --max-size 0 --desired-capacity 0`,
        )
        .join("\n"),
    });
  }
  const spot = incident.instances.filter((i) => i.lifecycle === "spot");

  steps.push({
    description: `${steps.length + 1}. Keep evidence: snapshot every volume of each instance before anything is stopped or terminated (the miner binary, its config and the pool address are on disk).`,
    command: perRegionLoop(
      byRegion,
      (region) =>
        `aws ec2 create-snapshots --region ${region} --instance-specification InstanceId=$id --description "minewatch ${incident.id} evidence" --copy-tags-from-source volume`,
    ),
  });
  steps.push({
    description: `${steps.length + 1}. Stop the instances, one command per region.${
      spot.length > 0
        ? ` ${spot.length} of them are spot instances: one-time spot instances cannot be stopped, terminate those after step ${steps.length} instead.`
        : ""
    }`,
    command: [...byRegion]
      .map(([region, instances]) => idsCommand(`aws ec2 stop-instances --region ${region} --instance-ids`, instances))
      .join("\n"),
  });
  steps.push({
    description: `${steps.length + 1}. Only after the snapshots have completed: remove termination protection (attackers set it to slow clean-up) and terminate.`,
    command: [
      perRegionLoop(
        byRegion,
        (region) =>
          `aws ec2 modify-instance-attribute --region ${region} --instance-id $id --no-disable-api-termination`,
      ),
      ...[...byRegion].map(([region, instances]) =>
        idsCommand(`aws ec2 terminate-instances --region ${region} --instance-ids`, instances),
      ),
    ].join("\n"),
  });
  return steps;
}

function existingComputeSteps(incident: Incident): ContainmentStep[] {
  const byRegion = instancesByRegion(targetsOf(incident));
  const roles = [
    ...new Set(incident.instances.flatMap((i) => (i.iamInstanceProfileArn ? [i.iamInstanceProfileArn] : []))),
  ];
  return [
    {
      description:
        "1. Look inside before changing anything: list the top CPU consumers through SSM (no SSH needed) and look for xmrig, stratum URLs, unknown binaries in /tmp or unfamiliar containers.",
      command: [...byRegion]
        .map(
          ([region, instances]) =>
            `aws ssm send-command --region ${region} --document-name AWS-RunShellScript --comment "minewatch ${incident.id}" --parameters 'commands=["ps -eo pid,user,pcpu,etime,args --sort=-pcpu | head -20"]' --instance-ids ${instances
              .slice(0, 50)
              .map((i) => i.instanceId)
              .join(" ")}`,
        )
        .join("\n"),
    },
    {
      description:
        "2. Keep evidence: snapshot the volumes of each affected instance before cleaning it (for containers, also save the pod or task definition and image digest).",
      command: perRegionLoop(
        byRegion,
        (region) =>
          `aws ec2 create-snapshots --region ${region} --instance-specification InstanceId=$id --description "minewatch ${incident.id} evidence" --copy-tags-from-source volume`,
      ),
    },
    {
      description:
        "3. Isolate if mining is confirmed: move the instances to a security group with no outbound rules (cuts the pool connection, keeps the machine for forensics).",
      command: perRegionLoop(
        byRegion,
        (region) => `aws ec2 modify-instance-attribute --region ${region} --instance-id $id --groups <ISOLATION_SG_ID>`,
      ),
    },
    {
      description: `4. Rotate the workload's credentials: the attacker got in through this workload (an exposed console or dashboard, a leaked token) and may hold its keys and role session${
        roles.length > 0 ? ` (instance profile ${roles.slice(0, 3).join(", ")})` : ""
      }. Deactivate its access keys and revoke the role's active sessions in the IAM console.`,
      command:
        "aws iam update-access-key --user-name <WORKLOAD_USER> --access-key-id <ACCESS_KEY_ID> --status Inactive",
    },
  ];
}

function gpuVisibilitySteps(incident: Incident): ContainmentStep[] {
  const byRegion = instancesByRegion(targetsOf(incident));
  return [
    {
      description:
        "Confirm each GPU instance is yours (owner tag, launcher in CloudTrail). For those you run on purpose, install the CloudWatch agent with the nvidia_smi plugin and append the InstanceId dimension, or allowlist them by tag or role.",
      command: [...byRegion]
        .map(([region, instances]) =>
          idsCommand(
            `aws ssm send-command --region ${region} --document-name AWS-ConfigureAWSPackage --parameters action=Install,name=AmazonCloudWatchAgent --instance-ids`,
            instances.slice(0, 50),
          ),
        )
        .join("\n"),
    },
  ];
}

function costSteps(incident: Incident, window: { start: string; end: string }): ContainmentStep[] {
  // A week before the window for comparison; Cost Explorer's End is exclusive, so the day after.
  const start = addDays(window.start.slice(0, 10), -7);
  const end = addDays(window.end.slice(0, 10), 1);
  const regionFilter =
    incident.region === "global" ? "" : ` --filter '{"Dimensions":{"Key":"REGION","Values":["${incident.region}"]}}'`;
  const steps: ContainmentStep[] = [
    {
      description:
        "1. Find what is spending: break the recent cost down by service and usage type (Cost Explorer is in us-east-1; each call costs $0.01).",
      command: `aws ce get-cost-and-usage --region us-east-1 --time-period Start=${start},End=${end} --granularity DAILY --metrics UnblendedCost --group-by Type=DIMENSION,Key=SERVICE Type=DIMENSION,Key=USAGE_TYPE${regionFilter}`,
    },
  ];
  if (incident.region !== "global") {
    steps.push({
      description:
        "2. Look for compute the audit did not flag or could not see there: running instances, ECS/Fargate tasks, SageMaker notebooks.",
      command: [
        `aws ec2 describe-instances --region ${incident.region} --filters Name=instance-state-name,Values=pending,running --query "Reservations[].Instances[].[InstanceId,InstanceType,LaunchTime]" --output table`,
        `aws ecs list-clusters --region ${incident.region}`,
        `aws sagemaker list-notebook-instances --region ${incident.region}`,
      ].join("\n"),
    });
  }
  return steps;
}

function coverageSteps(incident: Incident): ContainmentStep[] {
  const where = incident.region === "global" ? "us-east-1" : incident.region;
  return [
    {
      description:
        "Restore visibility: grant the audit role the missing read permission (or opt in / enable the service) and re-run Minewatch for this region. Until then, mining here would not be reported.",
      command: `aws ec2 describe-instances --region ${where} --max-results 5 --query "Reservations[].Instances[].InstanceId"`,
    },
  ];
}

type Target = Pick<Instance, "instanceId" | "region">;

/** The incident's instances, plus instances flagged by a rule but missing from the inventory. */
function targetsOf(incident: Incident): Target[] {
  return [
    ...incident.instances,
    ...incident.otherResources
      .filter((r) => r.type === "ec2-instance")
      .map((r) => ({ instanceId: r.id, region: r.region })),
  ];
}

function instancesByRegion(instances: readonly Target[]): Map<string, Target[]> {
  const map = new Map<string, Target[]>();
  for (const instance of [...instances].sort((a, b) => a.region.localeCompare(b.region))) {
    const list = map.get(instance.region);
    if (list) list.push(instance);
    else map.set(instance.region, [instance]);
  }
  return map;
}

/** One command with the ids inline, or for a large fleet the ids in a variable on the line before. */
function idsCommand(prefix: string, instances: readonly Target[]): string {
  const ids = instances.map((i) => i.instanceId).join(" ");
  if (instances.length <= INLINE_IDS) return `${prefix} ${ids}`;
  return `IDS="${ids}"\n${prefix} $IDS`;
}

/** A shell loop per region for APIs that take one instance at a time. */
function perRegionLoop(byRegion: Map<string, Target[]>, commandFor: (region: string) => string): string {
  return [...byRegion]
    .map(([region, instances]) => {
      const ids = instances.map((i) => i.instanceId).join(" ");
      return instances.length === 1
        ? commandFor(region).replaceAll("$id", instances[0]?.instanceId ?? "")
        : `for id in ${ids}; do ${commandFor(region)}; done`;
    })
    .join("\n");
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9._\-/:]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
