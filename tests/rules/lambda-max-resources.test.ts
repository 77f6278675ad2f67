import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { LambdaFunctionSchema } from "../../lambda/core/sections/managed-compute.js";
import { lambdaMaxResources } from "../../lambda/rules/lambda-max-resources.js";
import type { Severity } from "../../lambda/rules/types.js";
import { ACCOUNT_ID, buildSnapshot, daysAgo, hoursAgo, ruleContext } from "../support/snapshot-builder.js";

type FunctionInput = z.input<typeof LambdaFunctionSchema>;

/** A function as ListFunctions describes it: an ordinary Node.js API handler unless overridden. */
function fn(overrides: Partial<FunctionInput> = {}): FunctionInput {
  return {
    name: "orders-api",
    arn: `arn:aws:lambda:eu-west-1:${ACCOUNT_ID}:function:orders-api`,
    region: "eu-west-1",
    runtime: "nodejs20.x",
    packageType: "Zip",
    memorySize: 512,
    timeout: 30,
    lastModified: hoursAgo(3),
    role: `arn:aws:iam::${ACCOUNT_ID}:role/orders-api`,
    ...overrides,
  };
}

describe("MW-LAMBDA-MAX-RESOURCES", () => {
  const cases: { name: string; functions: FunctionInput[]; expected: Severity[] }[] = [
    {
      name: "fires high: maximal memory and timeout on a custom runtime (Denonia)",
      functions: [fn({ memorySize: 10240, timeout: 900, runtime: "provided.al2" })],
      expected: ["high"],
    },
    {
      name: "fires high: maximal memory and timeout from a container image",
      functions: [fn({ memorySize: 10240, timeout: 900, runtime: undefined, packageType: "Image" })],
      expected: ["high"],
    },
    {
      name: "fires medium: close to the maximum on a managed runtime",
      functions: [fn({ memorySize: 9600, timeout: 880, runtime: "python3.12" })],
      expected: ["medium"],
    },
    {
      name: "quiet: maximal memory with a short timeout",
      functions: [fn({ memorySize: 10240, timeout: 60 })],
      expected: [],
    },
    {
      name: "quiet: maximal timeout with modest memory (a slow batch job)",
      functions: [fn({ memorySize: 3008, timeout: 900 })],
      expected: [],
    },
    {
      name: "quiet: a maximal function unchanged for months",
      functions: [fn({ memorySize: 10240, timeout: 900, runtime: "provided.al2", lastModified: daysAgo(90) })],
      expected: [],
    },
    { name: "quiet: an ordinary function changed today", functions: [fn()], expected: [] },
  ];

  it.each(cases)("$name", ({ functions, expected }) => {
    const snapshot = buildSnapshot({ managedCompute: { lambdaFunctions: functions } });
    const signals = lambdaMaxResources.evaluate(snapshot, ruleContext(snapshot));
    expect(signals.map((s) => s.severity)).toEqual(expected);
    for (const s of signals) {
      expect(s.resource).toEqual({ type: "lambda-function", id: functions[0]?.arn, region: "eu-west-1" });
    }
  });

  it("says what was set and when", () => {
    const snapshot = buildSnapshot({
      managedCompute: { lambdaFunctions: [fn({ memorySize: 10240, timeout: 900, runtime: "provided.al2" })] },
    });
    const [signal] = lambdaMaxResources.evaluate(snapshot, ruleContext(snapshot));
    expect(signal?.message).toContain("10240 MB memory and a 900 s timeout");
    expect(signal?.message).toContain("the custom runtime provided.al2");
  });

  it("is not applicable when Lambda was not collected", () => {
    const snapshot = buildSnapshot();
    expect(lambdaMaxResources.evaluate(snapshot, ruleContext(snapshot))).toEqual([]);
  });
});
