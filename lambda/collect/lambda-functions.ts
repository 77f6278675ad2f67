/**
 * The Lambda collector: every function's size (memory, timeout), runtime, package type and when
 * its code or configuration last changed. Denonia-style miners run as functions set to the maximum
 * memory and timeout, often on a custom runtime or a container image.
 *
 * Environment variables are never stored: they are where functions keep their secrets, and nothing
 * a rule needs is in them.
 */
import { type FunctionConfiguration, type LambdaClient, paginateListFunctions } from "@aws-sdk/client-lambda";
import pLimit from "p-limit";
import { type LambdaFunction, ManagedComputeSchema } from "../core/sections/managed-compute.js";
import { type CoverageRecorder, classifyAwsError } from "./coverage.js";
import { REGION_CONCURRENCY } from "./limits.js";
import type { SectionCollector, SectionContext } from "./sections.js";

const SERVICE = "lambda";

/** ListFunctions returns at most 50 functions per page. */
export const LIST_FUNCTIONS_PAGE_SIZE = 50;
/** Functions read per region: bounds time on accounts with thousands of functions. */
export const DEFAULT_FUNCTION_CAP = 5000;

export interface LambdaRegionInput {
  client: LambdaClient;
  region: string;
  coverage: CoverageRecorder;
  functionCap?: number;
}

/** Lambda writes LastModified as 2024-05-01T12:00:00.000+0000; the snapshot wants ISO 8601 UTC. */
function isoFromLambda(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function toLambdaFunction(raw: FunctionConfiguration, region: string): LambdaFunction | undefined {
  const lastModified = isoFromLambda(raw.LastModified);
  if (!raw.FunctionName || !raw.FunctionArn || raw.MemorySize === undefined || raw.Timeout === undefined) {
    return undefined;
  }
  if (!lastModified) return undefined;
  return {
    name: raw.FunctionName,
    arn: raw.FunctionArn,
    region,
    ...(raw.Runtime ? { runtime: raw.Runtime } : {}),
    ...(raw.PackageType ? { packageType: raw.PackageType } : {}),
    memorySize: raw.MemorySize,
    timeout: raw.Timeout,
    lastModified,
    ...(raw.CodeSha256 ? { codeSha256: raw.CodeSha256 } : {}),
    ...(raw.Role ? { role: raw.Role } : {}),
  };
}

/** One region's functions; `read` is false when nothing could be listed. */
export async function collectLambdaRegion(
  input: LambdaRegionInput,
): Promise<{ read: boolean; functions: LambdaFunction[] }> {
  const { client, region, coverage } = input;
  const cap = input.functionCap ?? DEFAULT_FUNCTION_CAP;
  const functions: LambdaFunction[] = [];
  let pages = 0;
  let unusable = 0;
  let capped = false;
  try {
    for await (const page of paginateListFunctions({ client, pageSize: LIST_FUNCTIONS_PAGE_SIZE }, {})) {
      pages += 1;
      for (const raw of page.Functions ?? []) {
        const fn = toLambdaFunction(raw, region);
        if (fn) functions.push(fn);
        else unusable += 1;
      }
      if (functions.length >= cap) {
        capped = functions.length > cap || page.NextMarker !== undefined;
        break;
      }
    }
  } catch (error) {
    if (pages === 0) {
      coverage.failed(region, SERVICE, "ListFunctions", error);
      return { read: false, functions: [] };
    }
    const { reason, message } = classifyAwsError(error);
    coverage.partial(
      region,
      SERVICE,
      "ListFunctions",
      reason,
      `stopped after ${pages} page(s) and ${functions.length} functions: ${message}`,
    );
    return { read: true, functions };
  }
  if (capped) {
    coverage.partial(
      region,
      SERVICE,
      "ListFunctions",
      "not-requested",
      `more than ${cap} functions; the first ${cap} were read`,
    );
  } else if (unusable > 0) {
    coverage.partial(
      region,
      SERVICE,
      "ListFunctions",
      "error",
      `${unusable} function(s) listed without name, size or modification time were left out`,
    );
  } else {
    coverage.ok(region, SERVICE, "ListFunctions", `${functions.length} function(s)`);
  }
  return { read: true, functions: functions.slice(0, cap) };
}

export async function collectLambdaFunctions(
  context: SectionContext,
): Promise<{ regionsRead: string[]; functions: LambdaFunction[] }> {
  const limit = pLimit(REGION_CONCURRENCY);
  const results = await limit.map(context.regions, async (region) => ({
    region,
    ...(await collectLambdaRegion({ client: context.clients.lambda(region), region, coverage: context.coverage })),
  }));
  const functions = results.flatMap((r) => r.functions);
  context.progress(`Lambda: ${functions.length} function(s)`);
  return { regionsRead: results.filter((r) => r.read).map((r) => r.region), functions };
}

/**
 * Fills only the Lambda part of managedCompute (regionsRead.lambda and lambdaFunctions); the
 * SageMaker, CodeBuild and Amplify collectors fill the rest of the same section.
 */
export const lambdaFunctionsCollector: SectionCollector = {
  name: SERVICE,
  async collect(context) {
    const { regionsRead, functions } = await collectLambdaFunctions(context);
    return {
      managedCompute: ManagedComputeSchema.parse({ regionsRead: { lambda: regionsRead }, lambdaFunctions: functions }),
    };
  },
};
