import {
  type FunctionConfiguration,
  LambdaClient,
  LambdaServiceException,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { CoverageRecorder } from "../../lambda/collect/coverage.js";
import {
  collectLambdaRegion,
  LIST_FUNCTIONS_PAGE_SIZE,
  lambdaFunctionsCollector,
} from "../../lambda/collect/lambda-functions.js";
import type { SectionContext } from "../../lambda/collect/sections.js";
import { ConfigSchema } from "../../lambda/core/config.js";
import { ManagedComputeSchema } from "../../lambda/core/sections/managed-compute.js";
import { fakeClientFactory } from "../support/fake-clients.js";

const REGION = "ap-southeast-1";

/** A function as ListFunctions returns it, environment variables included (they must not be kept). */
function fn(name: string, overrides: Partial<FunctionConfiguration> = {}): FunctionConfiguration {
  return {
    FunctionName: name,
    FunctionArn: `arn:aws:lambda:${REGION}:123456789012:function:${name}`,
    Runtime: "provided.al2023",
    Role: "arn:aws:iam::123456789012:role/lambda-basic",
    Handler: "bootstrap",
    CodeSize: 4_812_331,
    MemorySize: 10240,
    Timeout: 900,
    LastModified: "2026-03-09T23:12:45.118+0000",
    CodeSha256: "mXz8qS1d0Pq8b4f3m0QG8Ykz6Jc7r3Yy4o3a8Q1b2c4=",
    PackageType: "Zip",
    Environment: { Variables: { DB_PASSWORD: "hunter2-prod-secret" } },
    ...overrides,
  };
}

function denied(): LambdaServiceException {
  return new LambdaServiceException({
    name: "AccessDeniedException",
    $fault: "client",
    $metadata: {},
    message: "User is not authorized to perform: lambda:ListFunctions",
  });
}

const client = new LambdaClient({ region: REGION });
const lambda = mockClient(client);

beforeEach(() => {
  lambda.reset();
});

describe("Lambda collector", () => {
  it("keeps size, runtime, package and modification time, never environment variables", async () => {
    lambda.on(ListFunctionsCommand).resolves({ Functions: [fn("resize-images")] });
    const coverage = new CoverageRecorder();

    const result = await collectLambdaRegion({ client, region: REGION, coverage });

    expect(result.functions).toEqual([
      {
        name: "resize-images",
        arn: `arn:aws:lambda:${REGION}:123456789012:function:resize-images`,
        region: REGION,
        runtime: "provided.al2023",
        packageType: "Zip",
        memorySize: 10240,
        timeout: 900,
        lastModified: "2026-03-09T23:12:45.118Z",
        codeSha256: "mXz8qS1d0Pq8b4f3m0QG8Ykz6Jc7r3Yy4o3a8Q1b2c4=",
        role: "arn:aws:iam::123456789012:role/lambda-basic",
      },
    ]);
    expect(JSON.stringify(result)).not.toContain("hunter2");
    expect(coverage.entries).toEqual([expect.objectContaining({ api: "ListFunctions", status: "ok" })]);
  });

  it("follows the pages with the largest page size", async () => {
    lambda
      .on(ListFunctionsCommand)
      .resolvesOnce({ Functions: [fn("a"), fn("b")], NextMarker: "m2" })
      .resolvesOnce({ Functions: [fn("c")] });

    const result = await collectLambdaRegion({ client, region: REGION, coverage: new CoverageRecorder() });

    expect(result.functions.map((f) => f.name)).toEqual(["a", "b", "c"]);
    expect(lambda).toHaveReceivedCommandTimes(ListFunctionsCommand, 2);
    expect(lambda).toHaveReceivedCommandWith(ListFunctionsCommand, { MaxItems: LIST_FUNCTIONS_PAGE_SIZE });
  });

  it("stops at the cap and records a partial read", async () => {
    lambda
      .on(ListFunctionsCommand)
      .resolvesOnce({ Functions: [fn("a"), fn("b")], NextMarker: "m2" })
      .resolvesOnce({ Functions: [fn("c"), fn("d")], NextMarker: "m3" });
    const coverage = new CoverageRecorder();

    const result = await collectLambdaRegion({ client, region: REGION, coverage, functionCap: 3 });

    expect(result.functions.map((f) => f.name)).toEqual(["a", "b", "c"]);
    expect(coverage.entries).toEqual([
      expect.objectContaining({ api: "ListFunctions", status: "partial", reason: "not-requested" }),
    ]);
  });

  it("keeps earlier pages when a later page fails", async () => {
    lambda
      .on(ListFunctionsCommand)
      .resolvesOnce({ Functions: [fn("a")], NextMarker: "m2" })
      .rejectsOnce(denied());
    const coverage = new CoverageRecorder();

    const result = await collectLambdaRegion({ client, region: REGION, coverage });

    expect(result).toMatchObject({ read: true, functions: [expect.objectContaining({ name: "a" })] });
    expect(coverage.entries).toEqual([
      expect.objectContaining({ api: "ListFunctions", status: "partial", reason: "access-denied" }),
    ]);
  });

  it("turns AccessDenied into a coverage entry and fills only the Lambda part of managedCompute", async () => {
    lambda.on(ListFunctionsCommand).rejects(denied());
    const okClient = new LambdaClient({ region: "eu-west-1" });
    const ok = mockClient(okClient);
    ok.on(ListFunctionsCommand).resolves({ Functions: [fn("thumbs")] });
    const coverage = new CoverageRecorder();
    const context: SectionContext = {
      clients: fakeClientFactory({ lambda: (region) => (region === REGION ? client : okClient) }),
      config: ConfigSchema.parse({}),
      window: { start: new Date("2026-03-09T06:00:00Z"), end: new Date("2026-03-10T06:00:00Z") },
      accountId: "123456789012",
      regions: [REGION, "eu-west-1"],
      instances: [],
      coverage,
      progress: () => {},
    };

    const sections = await lambdaFunctionsCollector.collect(context);

    expect(sections.managedCompute).toEqual({
      ...ManagedComputeSchema.parse({}),
      regionsRead: { lambda: ["eu-west-1"] },
      lambdaFunctions: [expect.objectContaining({ name: "thumbs", region: "eu-west-1" })],
    });
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({
        region: REGION,
        service: "lambda",
        api: "ListFunctions",
        status: "failed",
        reason: "access-denied",
      }),
    );
  });
});
