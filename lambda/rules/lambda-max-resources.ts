/**
 * MW-LAMBDA-MAX-RESOURCES: a Lambda function created or changed during the audit window with
 * (close to) the maximum memory and the maximum timeout. Denonia and later Lambda miners ran this
 * way: as much CPU as Lambda gives (CPU scales with memory) for as long as it allows, invoked on a
 * schedule. Ordinary functions rarely need both.
 */
import type { Rule, Severity, Signal } from "./types.js";

/** Lambda's maximum memory (MB) and timeout (s). */
export const LAMBDA_MAX_MEMORY_MB = 10240;
export const LAMBDA_MAX_TIMEOUT_S = 900;
/** "Close to the maximum": 90 % of the memory ceiling (6 vCPUs from 10,240 MB; 5+ from here). */
export const NEAR_MAX_MEMORY_MB = 9216;
/** 14 minutes or more. */
export const NEAR_MAX_TIMEOUT_S = 840;

export const lambdaMaxResources: Rule = {
  id: "MW-LAMBDA-MAX-RESOURCES",
  title: "Lambda function changed to maximum memory and timeout",
  severity: "high",
  category: "inventory",
  rationale:
    "Lambda miners (Denonia, 2022, and later copies) are deployed with the maximum memory, which buys the most CPU, and the 15-minute timeout, " +
    "then invoked on a schedule. A function created or changed in the window with both is worth a look, more so on a custom runtime or container image, " +
    "where a miner binary ships as is.",
  recommendation:
    "Check who created or updated the function (CloudTrail CreateFunction / UpdateFunctionCode / UpdateFunctionConfiguration) and what invokes it. " +
    "If unexpected: set its reserved concurrency to 0 to stop it at once, remove its triggers, and deactivate the access key that deployed it.",
  evaluate(snapshot) {
    const functions = snapshot.managedCompute?.lambdaFunctions;
    // Not applicable when Lambda was not collected (coverage says why).
    if (!functions) return [];
    const windowStart = Date.parse(snapshot.window.start);
    const signals: Signal[] = [];
    for (const fn of functions) {
      if (Date.parse(fn.lastModified) < windowStart) continue;
      if (fn.memorySize < NEAR_MAX_MEMORY_MB || fn.timeout < NEAR_MAX_TIMEOUT_S) continue;
      const customRuntime = fn.runtime?.startsWith("provided") ?? false;
      const image = fn.packageType === "Image";
      const severity: Severity = customRuntime || image ? "high" : "medium";
      const packaging = image
        ? "a container image"
        : customRuntime
          ? `the custom runtime ${fn.runtime}`
          : `runtime ${fn.runtime ?? "unknown"}`;
      signals.push({
        ruleId: lambdaMaxResources.id,
        resource: { type: "lambda-function", id: fn.arn, region: fn.region },
        severity,
        message:
          `Lambda function ${fn.name} (${fn.region}) was created or changed at ${fn.lastModified} with ${fn.memorySize} MB memory ` +
          `and a ${fn.timeout} s timeout (maximum ${LAMBDA_MAX_MEMORY_MB} MB, ${LAMBDA_MAX_TIMEOUT_S} s), on ${packaging}.`,
        details: {
          functionArn: fn.arn,
          memorySize: fn.memorySize,
          timeout: fn.timeout,
          runtime: fn.runtime ?? null,
          packageType: fn.packageType ?? null,
          lastModified: fn.lastModified,
          role: fn.role ?? null,
          codeSha256: fn.codeSha256 ?? null,
          nearMaxMemoryMb: NEAR_MAX_MEMORY_MB,
          nearMaxTimeoutS: NEAR_MAX_TIMEOUT_S,
        },
      });
    }
    return signals;
  },
};
