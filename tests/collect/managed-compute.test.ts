import { createHash } from "node:crypto";
import { AmplifyClient, ListAppsCommand } from "@aws-sdk/client-amplify";
import {
  BatchGetBuildsCommand,
  type BatchGetBuildsCommandInput,
  BatchGetProjectsCommand,
  type BatchGetProjectsCommandInput,
  CodeBuildClient,
  ListBuildsCommand,
  ListProjectsCommand,
} from "@aws-sdk/client-codebuild";
import {
  DescribeNotebookInstanceCommand,
  DescribeNotebookInstanceLifecycleConfigCommand,
  ListNotebookInstancesCommand,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { CoverageRecorder } from "../../lambda/collect/coverage.js";
import {
  BUILD_IDS_CAP,
  CODEBUILD_BATCH,
  collectManagedRegion,
  MANAGED_LIST_CAP,
  managedComputeCollector,
  NOTEBOOK_DESCRIBE_CAP,
  storedText,
} from "../../lambda/collect/managed-compute.js";
import { ConfigSchema } from "../../lambda/core/config.js";
import { ManagedComputeSchema } from "../../lambda/core/sections/managed-compute.js";
import { fakeClientFactory } from "../support/fake-clients.js";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const WINDOW_END = new Date("2026-03-10T06:00:00.000Z");
const WINDOW = { start: new Date(WINDOW_END.getTime() - 24 * 3600 * 1000), end: WINDOW_END };
const hoursAgo = (h: number) => new Date(WINDOW_END.getTime() - h * 3600 * 1000);
const b64 = (text: string) => Buffer.from(text).toString("base64");

const LIFECYCLE_SCRIPT = [
  "#!/bin/bash",
  "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "nohup ./xmrig -o stratum+tcp://pool.supportxmr.com:3333 --donate-level 1 &",
].join("\n");

function denied(name = "AccessDeniedException"): Error {
  return Object.assign(new Error("User is not authorized to perform this action"), { name });
}

let sageMaker: SageMakerClient;
let codeBuild: CodeBuildClient;
let amplify: AmplifyClient;
let sm: AwsClientStub<SageMakerClient>;
let cb: AwsClientStub<CodeBuildClient>;
let am: AwsClientStub<AmplifyClient>;
let coverage: CoverageRecorder;

function run() {
  return collectManagedRegion({ sageMaker, codeBuild, amplify, region: REGION, window: WINDOW, coverage });
}

function entry(api: string) {
  return coverage.entries.filter((e) => e.api === api);
}

const notebookSummary = (name: string, overrides: Record<string, unknown> = {}) => ({
  NotebookInstanceName: name,
  NotebookInstanceArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/${name}`,
  NotebookInstanceStatus: "InService" as const,
  InstanceType: "ml.t3.medium" as const,
  CreationTime: hoursAgo(200),
  ...overrides,
});

beforeEach(() => {
  sageMaker = new SageMakerClient({ region: REGION });
  codeBuild = new CodeBuildClient({ region: REGION });
  amplify = new AmplifyClient({ region: REGION });
  sm = mockClient(sageMaker);
  cb = mockClient(codeBuild);
  am = mockClient(amplify);
  coverage = new CoverageRecorder();
  sm.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [] });
  sm.on(DescribeNotebookInstanceCommand).resolves({});
  cb.on(ListProjectsCommand).resolves({ projects: [] });
  cb.on(ListBuildsCommand).resolves({ ids: [] });
  am.on(ListAppsCommand).resolves({ apps: [] });
});

describe("SageMaker notebooks", () => {
  it("pages with MaxResults, describes each notebook and decodes and redacts its lifecycle scripts", async () => {
    sm.on(ListNotebookInstancesCommand)
      .resolvesOnce({ NotebookInstances: [notebookSummary("a")], NextToken: "page-2" })
      .resolvesOnce({ NotebookInstances: [notebookSummary("b", { CreationTime: hoursAgo(3) })] });
    sm.on(DescribeNotebookInstanceCommand, { NotebookInstanceName: "b" }).resolves({
      InstanceType: "ml.p3.8xlarge",
      NotebookInstanceLifecycleConfigName: "setup",
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/sm`,
    });
    sm.on(DescribeNotebookInstanceLifecycleConfigCommand).resolves({
      NotebookInstanceLifecycleConfigName: "setup",
      CreationTime: hoursAgo(4),
      OnStart: [{ Content: b64(LIFECYCLE_SCRIPT) }],
    });

    const result = await run();

    expect(sm).toHaveReceivedNthCommandWith(ListNotebookInstancesCommand, 1, { MaxResults: 100 });
    expect(sm).toHaveReceivedNthCommandWith(ListNotebookInstancesCommand, 2, { MaxResults: 100, NextToken: "page-2" });
    // Newest first.
    expect(result.notebookInstances.map((n) => n.name)).toEqual(["b", "a"]);
    expect(result.notebookInstances[0]).toMatchObject({
      instanceType: "ml.p3.8xlarge",
      lifecycleConfigName: "setup",
      roleArn: `arn:aws:iam::${ACCOUNT}:role/sm`,
      creationTime: hoursAgo(3).toISOString(),
    });
    expect(sm).toHaveReceivedCommandTimes(DescribeNotebookInstanceLifecycleConfigCommand, 1);
    const onStart = result.notebookLifecycleConfigs[0]?.onStart;
    expect(onStart?.text).toContain("stratum+tcp://pool.supportxmr.com:3333");
    expect(onStart?.text).not.toContain("wJalrXUtnFEMI");
    expect(onStart?.sha256).toBe(createHash("sha256").update(LIFECYCLE_SCRIPT).digest("hex"));
    expect(result.servicesRead).toContain("sagemaker");
    expect(entry("ListNotebookInstances")).toEqual([
      expect.objectContaining({ status: "ok", message: "2 notebook instances" }),
    ]);
  });

  it("records AccessDenied on the list as a failed entry and reads nothing else", async () => {
    sm.on(ListNotebookInstancesCommand).rejects(denied());
    const result = await run();
    expect(result.notebookInstances).toEqual([]);
    expect(result.servicesRead).not.toContain("sagemaker");
    expect(entry("ListNotebookInstances")).toEqual([
      expect.objectContaining({ region: REGION, service: "sagemaker", status: "failed", reason: "access-denied" }),
    ]);
    expect(sm).not.toHaveReceivedCommand(DescribeNotebookInstanceCommand);
  });

  it("keeps the first page when a later one fails, as partial", async () => {
    sm.on(ListNotebookInstancesCommand)
      .resolvesOnce({ NotebookInstances: [notebookSummary("a")], NextToken: "p2" })
      .rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    const result = await run();
    expect(result.notebookInstances).toHaveLength(1);
    expect(entry("ListNotebookInstances")).toEqual([
      expect.objectContaining({ status: "partial", reason: "throttled" }),
    ]);
  });

  it("caps per-notebook Describe calls, newest first, and records the rest", async () => {
    const many = Array.from({ length: NOTEBOOK_DESCRIBE_CAP + 5 }, (_, k) =>
      notebookSummary(`nb-${k}`, { CreationTime: hoursAgo(k + 1) }),
    );
    sm.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: many });
    await run();
    expect(sm).toHaveReceivedCommandTimes(DescribeNotebookInstanceCommand, NOTEBOOK_DESCRIBE_CAP);
    expect(sm).toHaveReceivedCommandWith(DescribeNotebookInstanceCommand, { NotebookInstanceName: "nb-0" });
    expect(sm).not.toHaveReceivedCommandWith(DescribeNotebookInstanceCommand, {
      NotebookInstanceName: `nb-${NOTEBOOK_DESCRIBE_CAP + 4}`,
    });
    expect(entry("DescribeNotebookInstance:cap")).toEqual([
      expect.objectContaining({ status: "partial", reason: "not-requested" }),
    ]);
  });

  it("records a lifecycle config it may not read, and keeps the notebook", async () => {
    sm.on(ListNotebookInstancesCommand).resolves({
      NotebookInstances: [notebookSummary("a", { NotebookInstanceLifecycleConfigName: "secret" })],
    });
    sm.on(DescribeNotebookInstanceLifecycleConfigCommand).rejects(denied());
    const result = await run();
    expect(result.notebookInstances[0]?.lifecycleConfigName).toBe("secret");
    expect(result.notebookLifecycleConfigs).toEqual([]);
    expect(entry("DescribeNotebookInstanceLifecycleConfig")).toEqual([
      expect.objectContaining({ status: "failed", reason: "access-denied" }),
    ]);
  });
});

describe("CodeBuild", () => {
  const projectNamed = (name: string) => ({
    name,
    arn: `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/${name}`,
    environment: {
      type: "LINUX_CONTAINER" as const,
      image: "aws/codebuild/standard:7.0",
      computeType: "BUILD_GENERAL1_2XLARGE" as const,
    },
    source: {
      type: "NO_SOURCE" as const,
      buildspec:
        "version: 0.2\nphases:\n  build:\n    commands:\n      - export TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n      - ./xmrig -o pool.hashvault.pro:443",
    },
    serviceRole: `arn:aws:iam::${ACCOUNT}:role/cb`,
    created: hoursAgo(5),
  });

  it("batches BatchGetProjects at 100 names per call and redacts inline buildspecs", async () => {
    const names = Array.from({ length: 250 }, (_, k) => `p-${String(k).padStart(3, "0")}`);
    cb.on(ListProjectsCommand)
      .resolvesOnce({ projects: names.slice(0, 100), nextToken: "n1" })
      .resolvesOnce({ projects: names.slice(100, 200), nextToken: "n2" })
      .resolvesOnce({ projects: names.slice(200) });
    cb.on(BatchGetProjectsCommand).callsFake((input: BatchGetProjectsCommandInput) => ({
      projects: (input.names ?? []).map(projectNamed),
    }));

    const result = await run();

    const batches = cb.commandCalls(BatchGetProjectsCommand).map((c) => c.args[0].input.names?.length);
    expect(batches).toEqual([CODEBUILD_BATCH, CODEBUILD_BATCH, 50]);
    expect(result.codeBuildProjects).toHaveLength(250);
    const first = result.codeBuildProjects[0];
    expect(first).toMatchObject({
      name: "p-000",
      computeType: "BUILD_GENERAL1_2XLARGE",
      environmentType: "LINUX_CONTAINER",
    });
    expect(first?.buildspec?.text).toContain("pool.hashvault.pro:443");
    expect(first?.buildspec?.text).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    expect(entry("BatchGetProjects")).toEqual([expect.objectContaining({ status: "ok" })]);
  });

  it("stores no buildspec when the project names a file in its source", async () => {
    cb.on(ListProjectsCommand).resolves({ projects: ["repo"] });
    cb.on(BatchGetProjectsCommand).resolves({
      projects: [{ ...projectNamed("repo"), source: { type: "GITHUB", buildspec: "ci/buildspec.yml" } }],
    });
    const result = await run();
    expect(result.codeBuildProjects[0]).not.toHaveProperty("buildspec");
  });

  it("reads builds newest first and stops at the first batch reaching back before the window", async () => {
    const ids = Array.from({ length: 250 }, (_, k) => `miner:${k}`);
    cb.on(ListBuildsCommand)
      .resolvesOnce({ ids: ids.slice(0, 100), nextToken: "b1" })
      .resolvesOnce({ ids: ids.slice(100, 200), nextToken: "b2" })
      .resolvesOnce({ ids: ids.slice(200) });
    // Build k started k * 0.2 hours ago: builds 0..119 are in the 24-hour window.
    cb.on(BatchGetBuildsCommand).callsFake((input: BatchGetBuildsCommandInput) => ({
      builds: (input.ids ?? []).map((id) => {
        const k = Number(id.split(":")[1]);
        return { id, projectName: "miner", startTime: hoursAgo(k * 0.2), buildStatus: "SUCCEEDED" };
      }),
    }));

    const result = await run();

    expect(cb).toHaveReceivedCommandWith(ListBuildsCommand, { sortOrder: "DESCENDING" });
    expect(cb).toHaveReceivedCommandTimes(BatchGetBuildsCommand, 2);
    expect(cb).toHaveReceivedCommandTimes(ListBuildsCommand, 2);
    expect(result.codeBuildBuilds).toHaveLength(121);
    expect(entry("ListBuilds")).toEqual([
      expect.objectContaining({ status: "ok", message: "121 builds started in the window" }),
    ]);
  });

  it("caps the build ids examined and records the rest as partial", async () => {
    cb.on(ListBuildsCommand).callsFake(() => ({
      ids: Array.from({ length: 100 }, (_, k) => `busy:${k}`),
      nextToken: "more",
    }));
    cb.on(BatchGetBuildsCommand).callsFake((input: BatchGetBuildsCommandInput) => ({
      builds: (input.ids ?? []).map((id) => ({
        id,
        projectName: "busy",
        startTime: hoursAgo(1),
        buildStatus: "IN_PROGRESS",
      })),
    }));
    await run();
    expect(cb).toHaveReceivedCommandTimes(BatchGetBuildsCommand, BUILD_IDS_CAP / CODEBUILD_BATCH);
    expect(entry("ListBuilds")).toEqual([expect.objectContaining({ status: "partial", reason: "not-requested" })]);
  });

  it("records AccessDenied on ListProjects and ListBuilds", async () => {
    cb.on(ListProjectsCommand).rejects(denied());
    cb.on(ListBuildsCommand).rejects(denied());
    const result = await run();
    expect(result.codeBuildProjects).toEqual([]);
    expect(entry("ListProjects")).toEqual([expect.objectContaining({ status: "failed", reason: "access-denied" })]);
    expect(entry("ListBuilds")).toEqual([expect.objectContaining({ status: "failed", reason: "access-denied" })]);
  });
});

describe("Amplify", () => {
  it("pages with maxResults and stores the buildSpec redacted", async () => {
    const app = (appId: string) => ({
      appId,
      appArn: `arn:aws:amplify:${REGION}:${ACCOUNT}:apps/${appId}`,
      name: `site-${appId}`,
      repository: "https://github.com/example/site",
      platform: "WEB" as const,
      createTime: hoursAgo(2),
      updateTime: hoursAgo(2),
      environmentVariables: {},
      defaultDomain: `${appId}.amplifyapp.com`,
      enableBranchAutoBuild: false,
      enableBasicAuth: false,
      description: "",
      buildSpec:
        "version: 1\nfrontend:\n  phases:\n    build:\n      commands:\n        - ./xmrig -o stratum+tcp://pool.supportxmr.com:3333 -p password=hunter2hunter2",
    });
    am.on(ListAppsCommand)
      .resolvesOnce({ apps: [app("d1")], nextToken: "t" })
      .resolvesOnce({ apps: [app("d2")] });
    const result = await run();
    expect(am).toHaveReceivedNthCommandWith(ListAppsCommand, 1, { maxResults: 100 });
    expect(result.amplifyApps.map((a) => a.appId)).toEqual(["d1", "d2"]);
    expect(result.amplifyApps[0]?.buildSpec?.text).toContain("stratum+tcp://pool.supportxmr.com:3333");
    expect(result.amplifyApps[0]?.buildSpec?.text).not.toContain("hunter2hunter2");
  });

  it("caps the apps per region as partial", async () => {
    am.on(ListAppsCommand).callsFake(() => ({
      apps: Array.from({ length: 100 }, (_, k) => ({
        appId: `a${k}`,
        appArn: "x",
        name: "n",
        repository: "",
        platform: "WEB",
        createTime: hoursAgo(100),
        updateTime: hoursAgo(100),
        environmentVariables: {},
        defaultDomain: "d",
        enableBranchAutoBuild: false,
        enableBasicAuth: false,
        description: "",
      })),
      nextToken: "more",
    }));
    const result = await run();
    expect(result.amplifyApps).toHaveLength(MANAGED_LIST_CAP);
    expect(entry("ListApps")).toEqual([expect.objectContaining({ status: "partial", reason: "not-requested" })]);
  });
});

describe("storedText", () => {
  it("redacts before capping and hashes the original", () => {
    const text = `key=AKIAIOSFODNN7EXAMPLE\n${"x".repeat(20_000)}`;
    const stored = storedText(text);
    expect(stored.truncated).toBe(true);
    expect(stored.text.startsWith("key=[REDACTED]")).toBe(true);
    expect(stored.sizeBytes).toBe(Buffer.byteLength(text));
  });
});

describe("managedComputeCollector", () => {
  it("reads every audited region through the factory and returns a schema-valid section", async () => {
    const regions = ["us-east-1", "eu-west-1"];
    sm.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [notebookSummary("a")] });
    const progress: string[] = [];
    const sections = await managedComputeCollector.collect({
      clients: fakeClientFactory({ sageMaker: () => sageMaker, codeBuild: () => codeBuild, amplify: () => amplify }),
      config: ConfigSchema.parse({}),
      window: WINDOW,
      accountId: ACCOUNT,
      regions,
      instances: [],
      coverage,
      progress: (m) => progress.push(m),
    });
    const section = ManagedComputeSchema.parse(sections.managedCompute);
    expect(section.regionsRead).toEqual({ sagemaker: regions.sort(), codebuild: regions, amplify: regions });
    expect(section.notebookInstances).toHaveLength(2);
    expect(section.lambdaFunctions).toEqual([]);
    expect(progress[0]).toContain("2 notebooks");
  });
});
