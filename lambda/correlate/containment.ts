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
import type { Attribution, ContainmentStep } from "../report/model.js";
import type { ResourceRef } from "../rules/types.js";
import type { Incident } from "./correlate.js";
import { autoScalingGroupName, resourceFacts } from "./resource-facts.js";
import { webContainmentSteps } from "./web-containment.js";

/** Beyond this many ids a command lists them from a shell variable set on its own line. */
const INLINE_IDS = 20;

/** What containment reads from the snapshot besides the incident: sections naming clusters, builds, spot requests. */
export type ContainmentContext = Parameters<typeof resourceFacts>[1];

export function containmentSteps(
  incident: Incident,
  window: { start: string; end: string },
  context: ContainmentContext = {},
): ContainmentStep[] {
  switch (incident.kind) {
    case "new-compute":
    case "principal":
      return [...leakedKeySteps(incident, context), ...webSteps(incident, true)];
    case "web-content":
      return webSteps(incident, false);
    case "existing-compute":
      return existingComputeSteps(incident);
    case "gpu-not-visible":
      return gpuVisibilitySteps(incident);
    case "cost":
      return costSteps(incident, window);
    case "coverage":
      return coverageSteps(incident);
    default:
      return webSteps(incident, false);
  }
}

/** Web objects inside a larger incident get their own steps after the compute ones. */
function webSteps(incident: Incident, appended: boolean): ContainmentStep[] {
  if (!incident.otherResources.some((r) => r.type === "s3-object")) return [];
  const steps = webContainmentSteps(incident);
  if (!appended) return steps;
  return steps.map((step) => ({ ...step, description: `Web content: ${step.description}` }));
}

interface DraftStep {
  description: string;
  command: string;
}

/** Numbers the steps that apply, so the order reads 1, 2, 3 whatever was left out. */
function numbered(steps: readonly (DraftStep | undefined)[]): ContainmentStep[] {
  return steps
    .filter((s): s is DraftStep => s !== undefined && s.command !== "")
    .map((s, index) => ({ description: `${index + 1}. ${s.description}`, command: s.command }));
}

/**
 * Leaked credentials: cut the key off first (everything else can be undone by the attacker while it
 * works), then what relaunches compute, then termination protection, evidence, stop, and finally
 * what the intruder left in IAM to come back.
 */
function leakedKeySteps(incident: Incident, context: ContainmentContext): ContainmentStep[] {
  const byRegion = instancesByRegion(targetsOf(incident));
  const others = incident.otherResources;
  return numbered([
    ...keySteps(incident, byRegion),
    relaunchStep(incident, context),
    terminationProtectionStep(incident),
    evidenceStep(incident, byRegion, context),
    stopStep(incident, byRegion, context),
    iamPersistenceStep(incident),
    byRegion.size > 0
      ? {
          description:
            "Only after the snapshots have completed: terminate the instances (stopped instances still cost for their volumes, and a stopped miner can be started again).",
          command: [...byRegion]
            .map(([region, instances]) =>
              idsCommand(`aws ec2 terminate-instances --region ${region} --instance-ids`, instances),
            )
            .join("\n"),
        }
      : undefined,
    others.some((r) => r.type === "principal") && byRegion.size === 0 && computeRefs(incident).length === 0
      ? {
          description:
            "Check what else the principal did: its calls in every region (LookupEvents is per region; repeat where the account runs anything).",
          command: lookupByPrincipal(incident.attribution),
        }
      : undefined,
  ]);
}

function keySteps(incident: Incident, byRegion: Map<string, Target[]>): (DraftStep | undefined)[] {
  const commands = incident.attribution.flatMap(revokeCommands);
  if (commands.length > 0) {
    return [
      {
        description: `Cut off the credentials that launched it (${incident.attribution
          .map((a) => a.principalArn ?? a.principalType)
          .join(
            ", ",
          )}): deactivate the access key (deactivate, do not delete: it stays available for the investigation and can be re-enabled if it was the wrong key); for a role, deny its sessions issued before now.`,
        command: commands.join("\n"),
      },
    ];
  }
  const lookups = [...byRegion].map(
    ([region, instances]) =>
      `aws cloudtrail lookup-events --region ${region} --lookup-attributes AttributeKey=ResourceName,AttributeValue=${instances[0]?.instanceId} --max-results 50`,
  );
  for (const ref of computeRefs(incident).slice(0, 5)) {
    lookups.push(
      `aws cloudtrail lookup-events --region ${ref.region} --lookup-attributes AttributeKey=ResourceName,AttributeValue=${shellQuote(ref.id)} --max-results 50`,
    );
  }
  return [
    lookups.length > 0
      ? {
          description:
            "Find who launched it: CloudTrail shows the call with the IAM principal, access key id and source IP (event history covers 90 days). Do this first, while the trail is fresh.",
          command: lookups.join("\n"),
        }
      : undefined,
    {
      description:
        "Deactivate the access key found above (deactivate, do not delete: it stays available for the investigation and can be re-enabled if it was the wrong key). If it was a role session, revoke the role's active sessions instead.",
      command: "aws iam update-access-key --user-name <USER> --access-key-id <ACCESS_KEY_ID> --status Inactive",
    },
  ];
}

/** Commands that stop one principal's credentials from working, with the names CloudTrail gave. */
function revokeCommands(a: Attribution): string[] {
  const longTerm = a.accessKeyIds.filter((k) => k.startsWith("AKIA"));
  if (a.principalType === "Root") {
    return longTerm.length > 0
      ? longTerm.map(
          (key) =>
            `aws iam update-access-key --access-key-id ${key} --status Inactive  # root key: run as root, or delete it in the console`,
        )
      : ["# root user: sign in as root, delete its access keys and rotate the password and MFA"];
  }
  const role = a.principalArn?.match(/:role\/(?:.*\/)?([^/]+)$/)?.[1];
  if (role) {
    return [
      "NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)",
      `aws iam put-role-policy --role-name ${shellQuote(role)} --policy-name AWSRevokeOlderSessions --policy-document "{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{\\"Effect\\":\\"Deny\\",\\"Action\\":[\\"*\\"],\\"Resource\\":[\\"*\\"],\\"Condition\\":{\\"DateLessThan\\":{\\"aws:TokenIssueTime\\":\\"$NOW\\"}}}]}"`,
    ];
  }
  const user = a.userName ?? a.principalArn?.match(/:user\/(?:.*\/)?([^/]+)$/)?.[1];
  if (longTerm.length === 0) {
    return [
      `aws iam update-access-key --user-name ${user ? shellQuote(user) : "<USER>"} --access-key-id <ACCESS_KEY_ID> --status Inactive`,
    ];
  }
  return longTerm.map(
    (key) =>
      `aws iam update-access-key --user-name ${user ? shellQuote(user) : "<USER>"} --access-key-id ${key} --status Inactive`,
  );
}

function lookupByPrincipal(attribution: readonly Attribution[]): string {
  const keys = attribution.flatMap((a) => a.accessKeyIds);
  if (keys.length === 0) {
    return "aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=Username,AttributeValue=<USER> --max-results 50";
  }
  return keys
    .map(
      (key) =>
        `aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=${key} --max-results 50`,
    )
    .join("\n");
}

/** Auto Scaling groups, ECS services, persistent spot requests, fleets and launch templates. */
function relaunchStep(incident: Incident, context: ContainmentContext): DraftStep | undefined {
  const lines: string[] = [];
  const groups = new Set<string>();
  for (const i of incident.instances) if (i.autoScalingGroup) groups.add(`${i.region}\t${i.autoScalingGroup}`);
  for (const r of ofType(incident, "autoscaling-group")) groups.add(`${r.region}\t${autoScalingGroupName(r.id)}`);
  for (const key of [...groups].sort()) {
    const [region, name] = key.split("\t") as [string, string];
    lines.push(
      `aws autoscaling update-auto-scaling-group --region ${region} --auto-scaling-group-name ${shellQuote(name)} --min-size 0 --max-size 0 --desired-capacity 0`,
    );
  }
  const services = new Set<string>();
  for (const task of ofType(incident, "ecs-task")) {
    const facts = resourceFacts(task, context);
    if (facts.cluster && facts.service) services.add(`${task.region}\t${facts.cluster}\t${facts.service}`);
  }
  for (const key of [...services].sort()) {
    const [region, cluster, service] = key.split("\t") as [string, string, string];
    lines.push(
      `aws ecs update-service --region ${region} --cluster ${shellQuote(cluster)} --service ${shellQuote(service)} --desired-count 0`,
    );
  }
  const spot = new Map<string, Set<string>>();
  const persistent = new Set(
    (context.relaunch?.spotRequests ?? []).filter((r) => r.type === "persistent").map((r) => `${r.region}/${r.id}`),
  );
  for (const r of ofType(incident, "spot-request")) addTo(spot, r.region, r.id);
  for (const i of incident.instances) {
    if (i.spotInstanceRequestId && persistent.has(`${i.region}/${i.spotInstanceRequestId}`)) {
      addTo(spot, i.region, i.spotInstanceRequestId);
    }
  }
  for (const [region, ids] of [...spot].sort((a, b) => a[0].localeCompare(b[0]))) {
    lines.push(
      `aws ec2 cancel-spot-instance-requests --region ${region} --spot-instance-request-ids ${[...ids].sort().join(" ")}`,
    );
  }
  const fleets = (type: string) => {
    const map = new Map<string, Set<string>>();
    for (const r of ofType(incident, type)) addTo(map, r.region, r.id);
    for (const i of incident.instances) {
      const id = type === "spot-fleet" ? i.tags["aws:ec2spot:fleet-request-id"] : i.tags["aws:ec2:fleet-id"];
      if (id) addTo(map, i.region, id);
    }
    return [...map].sort((a, b) => a[0].localeCompare(b[0]));
  };
  for (const [region, ids] of fleets("spot-fleet")) {
    lines.push(
      `aws ec2 cancel-spot-fleet-requests --region ${region} --spot-fleet-request-ids ${[...ids].sort().join(" ")} --no-terminate-instances`,
    );
  }
  for (const [region, ids] of fleets("ec2-fleet")) {
    lines.push(
      `aws ec2 delete-fleets --region ${region} --fleet-ids ${[...ids].sort().join(" ")} --no-terminate-instances`,
    );
  }
  for (const template of incident.persistence.launchTemplates) {
    lines.push(
      `aws ec2 describe-launch-template-versions --region ${template.region} --launch-template-id ${template.id} > minewatch-${incident.id}-${template.id}.json`,
      `aws ec2 delete-launch-template --region ${template.region} --launch-template-id ${template.id}`,
    );
  }
  if (lines.length === 0) return undefined;
  return {
    description:
      "Remove the relaunch machinery before touching the compute: Auto Scaling groups and ECS services start a replacement for everything you stop, persistent spot requests and fleets re-request it. Scale groups and services to zero (kept as evidence), cancel requests and fleets without terminating their instances (that comes after the snapshots), save then delete the launch templates the intruder created.",
    command: lines.join("\n"),
  };
}

function terminationProtectionStep(incident: Incident): DraftStep | undefined {
  const protectedInstances = incident.instances.filter((i) => i.terminationProtection === true);
  if (protectedInstances.length === 0) return undefined;
  return {
    description: `Remove termination protection: the intruder set it on ${protectedInstances.length === 1 ? "1 instance" : `${protectedInstances.length} instances`} to slow clean-up.`,
    command: perRegionLoop(
      instancesByRegion(protectedInstances),
      (region) => `aws ec2 modify-instance-attribute --region ${region} --instance-id $id --no-disable-api-termination`,
    ),
  };
}

function evidenceStep(
  incident: Incident,
  byRegion: Map<string, Target[]>,
  context: ContainmentContext,
): DraftStep | undefined {
  const lines: string[] = [];
  if (byRegion.size > 0) {
    lines.push(
      perRegionLoop(
        byRegion,
        (region) =>
          `aws ec2 create-snapshots --region ${region} --instance-specification InstanceId=$id --description "minewatch ${incident.id} evidence" --copy-tags-from-source volume`,
      ),
    );
  }
  const definitions = new Set<string>();
  for (const task of ofType(incident, "ecs-task")) {
    const definition = context.ecs?.tasks.find(
      (t) => t.taskArn === task.id || t.taskArn.endsWith(`/${task.id}`),
    )?.taskDefinitionArn;
    if (definition) definitions.add(`${task.region}\t${definition}`);
  }
  for (const key of [...definitions].sort()) {
    const [region, arn] = key.split("\t") as [string, string];
    lines.push(
      `aws ecs describe-task-definition --region ${region} --task-definition ${shellQuote(arn)} > ${shellQuote(`minewatch-${incident.id}-${region}-${arn.slice(arn.lastIndexOf("/") + 1).replace(":", "-")}.json`)}`,
    );
  }
  for (const fn of ofType(incident, "lambda-function")) {
    lines.push(
      `aws lambda get-function --region ${fn.region} --function-name ${shellQuote(fn.id)} > ${shellQuote(`minewatch-${incident.id}-${fn.region}-${lastSegment(fn.id)}.json`)}`,
    );
  }
  for (const project of ofType(incident, "codebuild-project")) {
    lines.push(
      `aws codebuild batch-get-projects --region ${project.region} --names ${shellQuote(project.id)} > ${shellQuote(`minewatch-${incident.id}-${project.region}-${lastSegment(project.id)}.json`)}`,
    );
  }
  if (lines.length === 0) return undefined;
  const kept = [
    byRegion.size > 0
      ? "snapshot every volume of each instance (the miner binary, its config and the pool address are on disk)"
      : "",
    definitions.size > 0 ? "save the task definitions (image, command, pool)" : "",
    ofType(incident, "lambda-function").length > 0 ? "save the function code" : "",
    ofType(incident, "codebuild-project").length > 0 ? "save the build projects (buildspec)" : "",
  ].filter(Boolean);
  return {
    description: `Keep evidence before anything is stopped or deleted: ${kept.join("; ")}.`,
    command: lines.join("\n"),
  };
}

function stopStep(
  incident: Incident,
  byRegion: Map<string, Target[]>,
  context: ContainmentContext,
): DraftStep | undefined {
  const lines: string[] = [...byRegion].map(([region, instances]) =>
    idsCommand(`aws ec2 stop-instances --region ${region} --instance-ids`, instances),
  );
  // One loop per region and cluster: a campaign runs hundreds of tasks.
  const tasksByCluster = new Map<string, Set<string>>();
  for (const task of ofType(incident, "ecs-task")) {
    const cluster = resourceFacts(task, context).cluster ?? clusterOfTaskArn(task.id) ?? "<CLUSTER>";
    addTo(tasksByCluster, `${task.region}\t${cluster}`, task.id);
  }
  for (const [key, tasks] of [...tasksByCluster].sort((a, b) => a[0].localeCompare(b[0]))) {
    const [region, cluster] = key.split("\t") as [string, string];
    const ids = [...tasks].sort().map(lastSegment);
    const clusterArg = cluster === "<CLUSTER>" ? cluster : shellQuote(cluster);
    lines.push(
      ids.length === 1
        ? `aws ecs stop-task --region ${region} --cluster ${clusterArg} --task ${ids[0]} --reason "minewatch ${incident.id}"`
        : `for task in ${ids.join(" ")}; do aws ecs stop-task --region ${region} --cluster ${clusterArg} --task $task --reason "minewatch ${incident.id}"; done`,
    );
  }
  for (const notebook of ofType(incident, "sagemaker-notebook")) {
    const name = shellQuote(lastSegment(notebook.id));
    lines.push(
      `aws sagemaker stop-notebook-instance --region ${notebook.region} --notebook-instance-name ${name} && aws sagemaker wait notebook-instance-stopped --region ${notebook.region} --notebook-instance-name ${name} && aws sagemaker delete-notebook-instance --region ${notebook.region} --notebook-instance-name ${name}`,
    );
  }
  for (const project of ofType(incident, "codebuild-project")) {
    const name = shellQuote(lastSegment(project.id));
    const running = (context.managedCompute?.codeBuildBuilds ?? []).filter(
      (b) => b.projectName === lastSegment(project.id) && b.region === project.region && b.status === "IN_PROGRESS",
    );
    lines.push(
      running.length > 0
        ? running.map((b) => `aws codebuild stop-build --region ${project.region} --id ${shellQuote(b.id)}`).join("\n")
        : `for id in $(aws codebuild list-builds-for-project --region ${project.region} --project-name ${name} --query 'ids[]' --output text); do aws codebuild stop-build --region ${project.region} --id $id; done`,
      `aws codebuild delete-project --region ${project.region} --name ${name}`,
    );
  }
  for (const app of ofType(incident, "amplify-app")) {
    lines.push(`aws amplify delete-app --region ${app.region} --app-id ${shellQuote(app.id)}`);
  }
  for (const fn of ofType(incident, "lambda-function")) {
    const name = shellQuote(fn.id);
    lines.push(
      `aws lambda put-function-concurrency --region ${fn.region} --function-name ${name} --reserved-concurrent-executions 0`,
      `aws lambda delete-function --region ${fn.region} --function-name ${name}`,
    );
  }
  if (lines.length === 0) return undefined;
  const spot = incident.instances.filter((i) => i.lifecycle === "spot");
  return {
    description: `Stop the compute: ${[
      byRegion.size > 0 ? "the instances (one command per region)" : "",
      tasksByCluster.size > 0 ? "the ECS tasks" : "",
      ofType(incident, "sagemaker-notebook").length > 0 ? "the SageMaker notebooks (stopped, then deleted)" : "",
      ofType(incident, "codebuild-project").length > 0 ? "the CodeBuild builds, then their projects" : "",
      ofType(incident, "amplify-app").length > 0 ? "the Amplify apps" : "",
      ofType(incident, "lambda-function").length > 0 ? "the Lambda functions (throttled to zero, then deleted)" : "",
    ]
      .filter(Boolean)
      .join(", ")}.${
      spot.length > 0
        ? ` ${spot.length === 1 ? "1 of the instances is a spot instance" : `${spot.length} of the instances are spot instances`}: one-time spot instances cannot be stopped, terminate those instead once their snapshots are done.`
        : ""
    }`,
    command: lines.join("\n"),
  };
}

/** IAM users and keys the intruder created, to delete once the evidence is saved. */
function iamPersistenceStep(incident: Incident): DraftStep | undefined {
  const { users, accessKeys } = incident.persistence;
  if (users.length === 0 && accessKeys.length === 0) {
    if (incident.attribution.length > 0) return undefined;
    return {
      description:
        "Look for a way back in: IAM users and access keys created by the same key since the launch (CloudTrail IAM events are in us-east-1). Delete them once the evidence is saved.",
      command: [
        "aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=EventName,AttributeValue=CreateUser --max-results 50",
        "aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=EventName,AttributeValue=CreateAccessKey --max-results 50",
      ].join("\n"),
    };
  }
  const lines: string[] = [];
  const userSet = new Set(users);
  for (const key of accessKeys) {
    if (key.userName && userSet.has(key.userName)) continue; // removed with its user below
    lines.push(
      `aws iam delete-access-key${key.userName ? ` --user-name ${shellQuote(key.userName)}` : ""} --access-key-id ${key.accessKeyId}`,
    );
  }
  for (const user of users) {
    const u = shellQuote(user);
    lines.push(
      `for key in $(aws iam list-access-keys --user-name ${u} --query 'AccessKeyMetadata[].AccessKeyId' --output text); do aws iam delete-access-key --user-name ${u} --access-key-id $key; done`,
      `for arn in $(aws iam list-attached-user-policies --user-name ${u} --query 'AttachedPolicies[].PolicyArn' --output text); do aws iam detach-user-policy --user-name ${u} --policy-arn $arn; done`,
      `for name in $(aws iam list-user-policies --user-name ${u} --query 'PolicyNames[]' --output text); do aws iam delete-user-policy --user-name ${u} --policy-name $name; done`,
      `aws iam delete-login-profile --user-name ${u} 2>/dev/null; aws iam delete-user --user-name ${u}`,
    );
  }
  return {
    description: `Remove the way back in, after the evidence is saved: ${[
      users.length > 0 ? `${users.length === 1 ? "the IAM user" : "the IAM users"} ${users.join(", ")}` : "",
      accessKeys.length > 0 ? `access keys ${accessKeys.map((k) => k.accessKeyId).join(", ")}` : "",
    ]
      .filter(Boolean)
      .join(" and ")} created by the intruder.`,
    command: lines.join("\n"),
  };
}

function ofType(incident: Incident, type: string): ResourceRef[] {
  return incident.otherResources.filter((r) => r.type === type);
}

function computeRefs(incident: Incident): ResourceRef[] {
  return incident.otherResources.filter((r) =>
    ["ecs-task", "sagemaker-notebook", "codebuild-project", "amplify-app", "lambda-function"].includes(r.type),
  );
}

function clusterOfTaskArn(id: string): string | undefined {
  // arn:aws:ecs:region:account:task/CLUSTER/TASK_ID (the newer format names the cluster).
  const parts = id.split(":task/")[1]?.split("/");
  return parts && parts.length === 2 ? parts[0] : undefined;
}

function lastSegment(id: string): string {
  return id.startsWith("arn:") ? id.slice(Math.max(id.lastIndexOf("/"), id.lastIndexOf(":")) + 1) : id;
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
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

/** What restores visibility depends on why the data was not read. */
function coverageSteps(incident: Incident): ContainmentStep[] {
  const where = incident.region === "global" ? "us-east-1" : incident.region;
  const steps: ContainmentStep[] = [];
  const byReason = new Map<string, typeof incident.signals>();
  for (const signal of incident.signals) {
    const reason = typeof signal.details?.reason === "string" ? signal.details.reason : "error";
    byReason.set(reason, [...(byReason.get(reason) ?? []), signal]);
  }
  for (const [reason, signals] of [...byReason].sort((a, b) => a[0].localeCompare(b[0]))) {
    const apis = [...new Set(signals.map((s) => s.resource.id))].sort();
    if (reason === "agent-missing") {
      const ids = [
        ...new Set(
          signals.flatMap((s) => `${s.details?.error ?? ""} ${s.message}`.match(/\bi-[0-9a-f]{8,17}\b/g) ?? []),
        ),
      ];
      steps.push({
        description:
          "Install the CloudWatch agent with the nvidia_smi plugin on the GPU instances you run on purpose (namespace CWAgent, InstanceId dimension appended), so their GPU use becomes visible; an instance nobody owns should not be running at all.",
        command:
          ids.length > 0
            ? idsCommand(
                `aws ssm send-command --region ${where} --document-name AWS-ConfigureAWSPackage --parameters action=Install,name=AmazonCloudWatchAgent --instance-ids`,
                ids.slice(0, 50).map((instanceId) => ({ instanceId, region: where })),
              )
            : `aws ssm send-command --region ${where} --document-name AWS-ConfigureAWSPackage --parameters action=Install,name=AmazonCloudWatchAgent --targets Key=tag:minewatch-gpu,Values=true`,
      });
    } else if (reason === "access-denied") {
      steps.push({
        description: `Grant the audit role the missing read permission (${apis.join(", ")}) and re-run Minewatch for ${where}. Until then, mining here would not be reported.`,
        command: `aws iam simulate-principal-policy --policy-source-arn <AUDIT_ROLE_ARN> --action-names ${apis
          .map((api) => api.replace(/^([a-z0-9-]+):/, "$1:"))
          .join(" ")}`,
      });
    } else if (reason === "cost-explorer-not-enabled") {
      steps.push({
        description:
          "Enable Cost Explorer (Billing console, once per payer account; data appears within a day), so new spend in unused regions and services becomes visible.",
        command: `aws ce get-cost-and-usage --region us-east-1 --time-period Start=$(date -u -d '-2 days' +%F),End=$(date -u +%F) --granularity DAILY --metrics UnblendedCost`,
      });
    } else if (reason === "service-disabled" && apis.some((api) => api.startsWith("guardduty"))) {
      steps.push({
        description: "Turn GuardDuty on in this region: it sees mining pool traffic that no metric shows.",
        command: `aws guardduty create-detector --region ${where} --enable`,
      });
    } else {
      steps.push({
        description: `Re-run Minewatch for ${where} (${apis.join(", ")}: ${reason}); if it keeps failing, check the audit role's permissions and the service's status there. Until then, mining here would not be reported.`,
        command: `npx minewatch audit --regions ${where}`,
      });
    }
  }
  return steps;
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
