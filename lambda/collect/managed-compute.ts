/**
 * The managed compute collector: SageMaker notebook instances and their lifecycle scripts, CodeBuild
 * projects and the builds started in the window, Amplify apps, in every audited region. This is
 * where AMBERSQUID-style campaigns mine without a single EC2 instance in sight.
 *
 * Scripts (lifecycle configs, buildspecs) can hold secrets: they are redacted and capped before they
 * are stored, like user data. Every list is paginated and capped; every failure is a coverage entry.
 * Lambda functions belong to this section too but are collected elsewhere.
 */
import { createHash } from "node:crypto";
import { type AmplifyClient, type App, paginateListApps } from "@aws-sdk/client-amplify";
import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  type Build,
  type CodeBuildClient,
  type Project,
  paginateListBuilds,
  paginateListProjects,
} from "@aws-sdk/client-codebuild";
import {
  DescribeNotebookInstanceCommand,
  DescribeNotebookInstanceLifecycleConfigCommand,
  type NotebookInstanceLifecycleHook,
  type NotebookInstanceSummary,
  paginateListNotebookInstances,
  type SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import pLimit from "p-limit";
import { redactSecrets } from "../core/redact.js";
import type { RedactedText } from "../core/sections/common.js";
import type {
  AmplifyApp,
  CodeBuildBuild,
  CodeBuildProject,
  ManagedCompute,
  NotebookInstance,
  NotebookLifecycleConfig,
} from "../core/sections/managed-compute.js";
import { type CoverageRecorder, classifyAwsError } from "./coverage.js";
import { decodeUserData, USER_DATA_TEXT_CAP_BYTES } from "./ec2.js";
import { REGION_CONCURRENCY, USER_DATA_CONCURRENCY } from "./limits.js";
import { chunk, lookupEach, readPages } from "./section-pages.js";
import type { SectionCollector, SectionContext } from "./sections.js";

/** ListNotebookInstances and ListApps: at most 100 per page. */
export const NOTEBOOK_PAGE_SIZE = 100;
export const AMPLIFY_PAGE_SIZE = 100;
/** BatchGetProjects and BatchGetBuilds take at most 100 names or ids per call. */
export const CODEBUILD_BATCH = 100;
/** Items kept per region and list; beyond this the region is recorded as `partial`. */
export const MANAGED_LIST_CAP = 1000;
/** Build ids examined per region (newest first) while looking for builds started in the window. */
export const BUILD_IDS_CAP = 1000;
/** DescribeNotebookInstance and DescribeNotebookInstanceLifecycleConfig take one name per call. */
export const NOTEBOOK_DESCRIBE_CAP = 100;

export interface ManagedRegionInput {
  sageMaker: SageMakerClient;
  codeBuild: CodeBuildClient;
  amplify: AmplifyClient;
  region: string;
  window: { start: Date; end: Date };
  coverage: CoverageRecorder;
}

export interface ManagedRegionResult {
  region: string;
  /** Services whose list call answered in this region. */
  servicesRead: string[];
  notebookInstances: NotebookInstance[];
  notebookLifecycleConfigs: NotebookLifecycleConfig[];
  codeBuildProjects: CodeBuildProject[];
  codeBuildBuilds: CodeBuildBuild[];
  amplifyApps: AmplifyApp[];
}

export const managedComputeCollector: SectionCollector = {
  name: "managed-compute",
  async collect(context: SectionContext) {
    const limit = pLimit(REGION_CONCURRENCY);
    const results = await limit.map(context.regions, (region) =>
      collectManagedRegion({
        sageMaker: context.clients.sageMaker(region),
        codeBuild: context.clients.codeBuild(region),
        amplify: context.clients.amplify(region),
        region,
        window: context.window,
        coverage: context.coverage,
      }),
    );
    const regionsRead: Record<string, string[]> = {};
    for (const result of results) {
      for (const service of result.servicesRead)
        regionsRead[service] = [...(regionsRead[service] ?? []), result.region];
    }
    for (const regions of Object.values(regionsRead)) regions.sort();
    // lambdaFunctions is filled by the Lambda collector; this one leaves it to its default.
    const managedCompute: Omit<ManagedCompute, "lambdaFunctions"> = {
      regionsRead,
      notebookInstances: results.flatMap((r) => r.notebookInstances),
      notebookLifecycleConfigs: results.flatMap((r) => r.notebookLifecycleConfigs),
      codeBuildProjects: results.flatMap((r) => r.codeBuildProjects),
      codeBuildBuilds: results.flatMap((r) => r.codeBuildBuilds),
      amplifyApps: results.flatMap((r) => r.amplifyApps),
    };
    context.progress(
      `Managed compute: ${managedCompute.notebookInstances.length} notebooks, ${managedCompute.codeBuildProjects.length} CodeBuild projects, ${managedCompute.amplifyApps.length} Amplify apps`,
    );
    return { managedCompute: { ...managedCompute, lambdaFunctions: [] } };
  },
};

export async function collectManagedRegion(input: ManagedRegionInput): Promise<ManagedRegionResult> {
  const [sageMaker, codeBuild, amplify] = await Promise.all([
    collectNotebooks(input),
    collectCodeBuild(input),
    collectAmplify(input),
  ]);
  return {
    region: input.region,
    servicesRead: [
      ...(sageMaker.read ? ["sagemaker"] : []),
      ...(codeBuild.read ? ["codebuild"] : []),
      ...(amplify.read ? ["amplify"] : []),
    ],
    notebookInstances: sageMaker.notebooks,
    notebookLifecycleConfigs: sageMaker.configs,
    codeBuildProjects: codeBuild.projects,
    codeBuildBuilds: codeBuild.builds,
    amplifyApps: amplify.apps,
  };
}

/**
 * Text a user wrote (a buildspec), stored as user data is: secrets redacted before the cap, so a
 * secret cut at the cap cannot escape; hash and size of the original.
 */
export function storedText(original: string): RedactedText {
  const bytes = Buffer.from(original, "utf8");
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const redacted = Buffer.from(redactSecrets(original), "utf8");
  const truncated = redacted.length > USER_DATA_TEXT_CAP_BYTES;
  const text = truncated ? redacted.subarray(0, USER_DATA_TEXT_CAP_BYTES).toString("utf8") : redacted.toString("utf8");
  return { text, sha256, sizeBytes: bytes.length, truncated };
}

// ---------------------------------------------------------------------------------------------
// SageMaker

async function collectNotebooks(
  input: ManagedRegionInput,
): Promise<{ read: boolean; notebooks: NotebookInstance[]; configs: NotebookLifecycleConfig[] }> {
  const { sageMaker, region, coverage } = input;
  const listed = await readPages(
    paginateListNotebookInstances({ client: sageMaker }, { MaxResults: NOTEBOOK_PAGE_SIZE }),
    (page) => page.NotebookInstances ?? [],
    {
      coverage,
      region,
      service: "sagemaker",
      api: "ListNotebookInstances",
      noun: "notebook instances",
      cap: MANAGED_LIST_CAP,
    },
  );
  const notebooks = listed.items.flatMap((raw) => toNotebook(raw, region) ?? []);
  // Newest first: the ones created in the window get the per-notebook calls before the cap.
  notebooks.sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime) || compareText(a.name, b.name));

  await lookupEach(
    notebooks,
    async (notebook) => {
      const answer = await sageMaker.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: notebook.name }));
      if (answer.InstanceType) notebook.instanceType = answer.InstanceType;
      if (answer.NotebookInstanceLifecycleConfigName) {
        notebook.lifecycleConfigName = answer.NotebookInstanceLifecycleConfigName;
      }
      if (answer.RoleArn) notebook.roleArn = answer.RoleArn;
    },
    {
      coverage,
      region,
      service: "sagemaker",
      api: "DescribeNotebookInstance",
      noun: "notebook details",
      cap: NOTEBOOK_DESCRIBE_CAP,
      concurrency: USER_DATA_CONCURRENCY,
    },
  );

  const configNames = [...new Set(notebooks.flatMap((n) => n.lifecycleConfigName ?? []))];
  const configs: NotebookLifecycleConfig[] = [];
  await lookupEach(
    configNames,
    async (name) => {
      const answer = await sageMaker.send(
        new DescribeNotebookInstanceLifecycleConfigCommand({ NotebookInstanceLifecycleConfigName: name }),
      );
      const onCreate = hookText(answer.OnCreate);
      const onStart = hookText(answer.OnStart);
      configs.push({
        name,
        region,
        ...(answer.CreationTime ? { creationTime: answer.CreationTime.toISOString() } : {}),
        ...(onCreate ? { onCreate } : {}),
        ...(onStart ? { onStart } : {}),
      });
    },
    {
      coverage,
      region,
      service: "sagemaker",
      api: "DescribeNotebookInstanceLifecycleConfig",
      noun: "lifecycle configurations",
      cap: NOTEBOOK_DESCRIBE_CAP,
      concurrency: USER_DATA_CONCURRENCY,
    },
  );
  configs.sort((a, b) => compareText(a.name, b.name));
  return { read: listed.read, notebooks, configs };
}

/** A lifecycle hook's script (base64 in the API; AWS allows one hook per event), decoded and redacted. */
function hookText(hooks: NotebookInstanceLifecycleHook[] | undefined): RedactedText | undefined {
  const content = hooks?.find((h) => h.Content)?.Content;
  return content ? decodeUserData(content) : undefined;
}

export function toNotebook(raw: NotebookInstanceSummary, region: string): NotebookInstance | undefined {
  if (!raw.NotebookInstanceName || !raw.NotebookInstanceArn || !raw.CreationTime) return undefined;
  return {
    name: raw.NotebookInstanceName,
    arn: raw.NotebookInstanceArn,
    region,
    instanceType: raw.InstanceType ?? "unknown",
    status: raw.NotebookInstanceStatus ?? "Unknown",
    creationTime: raw.CreationTime.toISOString(),
    ...(raw.LastModifiedTime ? { lastModifiedTime: raw.LastModifiedTime.toISOString() } : {}),
    ...(raw.NotebookInstanceLifecycleConfigName
      ? { lifecycleConfigName: raw.NotebookInstanceLifecycleConfigName }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// CodeBuild

async function collectCodeBuild(
  input: ManagedRegionInput,
): Promise<{ read: boolean; projects: CodeBuildProject[]; builds: CodeBuildBuild[] }> {
  const { codeBuild, region, coverage } = input;
  const names = await readPages(paginateListProjects({ client: codeBuild }, {}), (page) => page.projects ?? [], {
    coverage,
    region,
    service: "codebuild",
    api: "ListProjects",
    noun: "projects",
    cap: MANAGED_LIST_CAP,
  });
  const projects: CodeBuildProject[] = [];
  if (names.items.length > 0) {
    const failures: unknown[] = [];
    for (const batch of chunk(names.items, CODEBUILD_BATCH)) {
      try {
        const answer = await codeBuild.send(new BatchGetProjectsCommand({ names: batch }));
        projects.push(...(answer.projects ?? []).flatMap((raw) => toProject(raw, region) ?? []));
      } catch (error) {
        failures.push(error);
      }
    }
    recordBatches(coverage, region, "codebuild", "BatchGetProjects", names.items.length, projects.length, failures);
  }
  projects.sort((a, b) => compareText(a.name, b.name));
  const builds = await collectBuilds(input);
  return { read: names.read, projects, builds };
}

/**
 * Builds started in the window. ListBuilds returns ids newest first; they are read in batches of
 * 100 until a batch reaches back before the window (older builds are not needed) or the cap.
 */
async function collectBuilds(input: ManagedRegionInput): Promise<CodeBuildBuild[]> {
  const { codeBuild, region, coverage, window } = input;
  const api = "ListBuilds";
  const builds: CodeBuildBuild[] = [];
  let examined = 0;
  let reachedWindowStart = false;
  let pages = 0;
  try {
    const pager = paginateListBuilds({ client: codeBuild }, { sortOrder: "DESCENDING" });
    pageLoop: for await (const page of pager) {
      pages += 1;
      for (const batch of chunk(page.ids ?? [], CODEBUILD_BATCH)) {
        if (examined >= BUILD_IDS_CAP) break pageLoop;
        examined += batch.length;
        const answer = await codeBuild.send(new BatchGetBuildsCommand({ ids: batch }));
        for (const raw of answer.builds ?? []) {
          const build = toBuild(raw, region);
          if (!build) continue;
          if (Date.parse(build.startTime) < window.start.getTime()) reachedWindowStart = true;
          else if (Date.parse(build.startTime) <= window.end.getTime()) builds.push(build);
        }
        if (reachedWindowStart) break pageLoop;
      }
    }
  } catch (error) {
    if (pages === 0) {
      coverage.failed(region, "codebuild", api, error);
    } else {
      const { reason, message } = classifyAwsError(error);
      coverage.partial(
        region,
        "codebuild",
        api,
        reason,
        `builds read for ${examined} ids, then: ${message}; older builds in the window may be missing`,
      );
    }
    return builds;
  }
  if (!reachedWindowStart && examined >= BUILD_IDS_CAP) {
    coverage.partial(
      region,
      "codebuild",
      api,
      "not-requested",
      `read the newest ${BUILD_IDS_CAP} builds (the cap per region); older builds in the window were not read`,
    );
  } else {
    coverage.ok(region, "codebuild", api, `${builds.length} builds started in the window`);
  }
  builds.sort((a, b) => compareText(a.startTime, b.startTime) || compareText(a.id, b.id));
  return builds;
}

function recordBatches(
  coverage: CoverageRecorder,
  region: string,
  service: string,
  api: string,
  asked: number,
  got: number,
  failures: unknown[],
): void {
  if (failures.length === 0) {
    coverage.ok(region, service, api, `${got} of ${asked} read`);
    return;
  }
  const { reason, message } = classifyAwsError(failures[0]);
  const summary = `${failures.length} batch(es) failed; ${got} of ${asked} read (first error: ${message})`;
  if (got === 0) coverage.entries.push({ region, service, api, status: "failed", reason, message: summary });
  else coverage.partial(region, service, api, reason, summary);
}

/** An inline buildspec has several lines; a single line is a file name or S3 path in the source. */
function isInlineBuildspec(buildspec: string): boolean {
  return /\n/.test(buildspec.trim()) || /^\s*version\s*:/.test(buildspec);
}

export function toProject(raw: Project, region: string): CodeBuildProject | undefined {
  if (!raw.name || !raw.arn) return undefined;
  const env = raw.environment;
  const buildspec = raw.source?.buildspec;
  return {
    name: raw.name,
    arn: raw.arn,
    region,
    ...(env?.computeType ? { computeType: env.computeType } : {}),
    ...(env?.image ? { image: env.image } : {}),
    ...(env?.type ? { environmentType: env.type } : {}),
    ...(buildspec && isInlineBuildspec(buildspec) ? { buildspec: storedText(buildspec) } : {}),
    ...(raw.serviceRole ? { serviceRole: raw.serviceRole } : {}),
    ...(raw.created ? { created: raw.created.toISOString() } : {}),
    ...(raw.lastModified ? { lastModified: raw.lastModified.toISOString() } : {}),
  };
}

export function toBuild(raw: Build, region: string): CodeBuildBuild | undefined {
  if (!raw.id || !raw.startTime) return undefined;
  return {
    id: raw.id,
    projectName: raw.projectName ?? raw.id.split(":")[0] ?? raw.id,
    region,
    startTime: raw.startTime.toISOString(),
    ...(raw.endTime ? { endTime: raw.endTime.toISOString() } : {}),
    status: raw.buildStatus ?? "UNKNOWN",
    ...(raw.initiator ? { initiator: raw.initiator } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Amplify

async function collectAmplify(input: ManagedRegionInput): Promise<{ read: boolean; apps: AmplifyApp[] }> {
  const { amplify, region, coverage } = input;
  const listed = await readPages(
    paginateListApps({ client: amplify }, { maxResults: AMPLIFY_PAGE_SIZE }),
    (page) => page.apps ?? [],
    { coverage, region, service: "amplify", api: "ListApps", noun: "apps", cap: MANAGED_LIST_CAP },
  );
  const apps = listed.items.flatMap((raw) => toAmplifyApp(raw, region) ?? []);
  apps.sort((a, b) => compareText(a.appId, b.appId));
  return { read: listed.read, apps };
}

export function toAmplifyApp(raw: App, region: string): AmplifyApp | undefined {
  if (!raw.appId || !raw.createTime) return undefined;
  return {
    appId: raw.appId,
    name: raw.name ?? raw.appId,
    region,
    createTime: raw.createTime.toISOString(),
    ...(raw.repository ? { repository: raw.repository } : {}),
    ...(raw.platform ? { platform: raw.platform } : {}),
    ...(raw.buildSpec ? { buildSpec: storedText(raw.buildSpec) } : {}),
  };
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
