/**
 * Turning AWS errors into coverage entries: the mechanism behind "never a silent pass".
 *
 * Collectors catch an API failure for one region or one data set, record why it failed here, and go
 * on with the rest: one denied region never loses what was already collected elsewhere.
 */
import type { CoverageEntry, CoverageReason } from "../core/snapshot.js";

const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedAccess",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "AuthorizationError",
  // EC2's answer for credentials it cannot validate, e.g. a region disabled after the keys were issued.
  "AuthFailure",
  "ExpiredToken",
  "ExpiredTokenException",
]);
const THROTTLED = new Set([
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "LimitExceededException",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
]);
const TIMED_OUT = new Set(["TimeoutError", "AbortError", "RequestTimeout", "RequestTimeoutException", "ETIMEDOUT"]);
const NOT_OPTED_IN = new Set(["OptInRequired"]);

/** Reads the error name from an SDK v3 service exception or a plain Error. */
function errorName(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { name?: unknown; Code?: unknown; code?: unknown };
    for (const candidate of [e.name, e.Code, e.code]) {
      if (typeof candidate === "string" && candidate !== "Error") return candidate;
    }
  }
  return "Error";
}

function errorMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  // An error message is shown to people and stored in snapshots: keep it short and one line.
  return raw.replace(/\s+/g, " ").trim().slice(0, 300);
}

/** Classifies an AWS SDK error into a coverage reason. */
export function classifyAwsError(error: unknown): { reason: CoverageReason; message: string } {
  const name = errorName(error);
  const message = errorMessage(error);
  if (/not enabled for cost explorer/i.test(message)) {
    return {
      reason: "cost-explorer-not-enabled",
      message: `Cost Explorer is not enabled for this account (${message})`,
    };
  }
  if (NOT_OPTED_IN.has(name) || /not (been )?opted in|opt-in/i.test(message)) {
    return { reason: "not-opted-in", message: `${name}: ${message}` };
  }
  if (ACCESS_DENIED.has(name)) return { reason: "access-denied", message: `${name}: ${message}` };
  if (THROTTLED.has(name)) return { reason: "throttled", message: `${name} after retries: ${message}` };
  if (TIMED_OUT.has(name)) return { reason: "timed-out", message: `${name}: ${message}` };
  return { reason: "error", message: `${name}: ${message}` };
}

/** Collects coverage entries for one collection run. */
export class CoverageRecorder {
  readonly entries: CoverageEntry[] = [];

  ok(region: string, service: string, api: string, message?: string): void {
    this.entries.push({ region, service, api, status: "ok", ...(message ? { message } : {}) });
  }

  /** Records a failure with its classified reason; returns the reason so callers can branch on it. */
  failed(region: string, service: string, api: string, error: unknown): CoverageReason {
    const { reason, message } = classifyAwsError(error);
    this.entries.push({ region, service, api, status: "failed", reason, message });
    return reason;
  }

  /** Something read only in part (e.g. a page limit, a region that failed mid-way). */
  partial(region: string, service: string, api: string, reason: CoverageReason, message: string): void {
    this.entries.push({ region, service, api, status: "partial", reason, message });
  }

  /** Something deliberately not read (not opted in, not requested, agent missing). */
  skipped(region: string, service: string, api: string, reason: CoverageReason, message: string): void {
    this.entries.push({ region, service, api, status: "skipped", reason, message });
  }
}
