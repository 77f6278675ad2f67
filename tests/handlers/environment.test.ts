import { describe, expect, it } from "vitest";
import { AUDIT_ENV, type AuditEnvironment, loadEnvironment } from "../../lambda/handlers/environment.js";

const VALID: AuditEnvironment = {
  TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:minewatch-findings",
  REPORT_BUCKET: "minewatch-reports-123456789012",
  STATE_TABLE: "minewatch-state",
};

describe("loadEnvironment", () => {
  it("applies defaults: all-clear emails on, reports/ prefix, 30-day TTL, default config", () => {
    const settings = loadEnvironment({ ...VALID });
    expect(settings.ALL_CLEAR_EMAIL).toBe(true);
    expect(settings.REPORT_PREFIX).toBe("reports");
    expect(settings.STATE_TTL_DAYS).toBe(30);
    expect(settings.MINEWATCH_CONFIG.lookbackHours).toBe(24);
    expect(settings.MINEWATCH_CONFIG.thresholds.highCpuPercent).toBe(90);
  });

  it("reads the config JSON, the all-clear switch and the prefix", () => {
    const settings = loadEnvironment({
      ...VALID,
      MINEWATCH_CONFIG: JSON.stringify({ approvedRegions: ["eu-west-1"], lookbackHours: 48 }),
      ALL_CLEAR_EMAIL: "false",
      REPORT_PREFIX: "/minewatch/",
      STATE_TTL_DAYS: "7",
    });
    expect(settings.MINEWATCH_CONFIG.approvedRegions).toEqual(["eu-west-1"]);
    expect(settings.MINEWATCH_CONFIG.lookbackHours).toBe(48);
    expect(settings.ALL_CLEAR_EMAIL).toBe(false);
    expect(settings.REPORT_PREFIX).toBe("minewatch");
    expect(settings.STATE_TTL_DAYS).toBe(7);
  });

  it.each([
    [{ TOPIC_ARN: undefined }, /TOPIC_ARN: is not set/],
    [{ TOPIC_ARN: "minewatch-findings" }, /TOPIC_ARN: expected an SNS topic ARN/],
    [{ REPORT_BUCKET: "Not_A_Bucket" }, /REPORT_BUCKET: expected an S3 bucket name/],
    [{ ALL_CLEAR_EMAIL: "yes" }, /ALL_CLEAR_EMAIL: expected "true" or "false"/],
    [{ STATE_TTL_DAYS: "0" }, /STATE_TTL_DAYS: at least 1 day/],
    [{ STATE_TTL_DAYS: "a month" }, /STATE_TTL_DAYS: expected a whole number of days/],
    [{ MINEWATCH_CONFIG: "{not json" }, /MINEWATCH_CONFIG: not valid JSON/],
    [{ MINEWATCH_CONFIG: '{"lookbackHours":-1}' }, /MINEWATCH_CONFIG: not a valid Minewatch config: lookbackHours/],
    [
      { MINEWATCH_CONFIG: '{"allowlist":[{"reason":"ML team"}]}' },
      /MINEWATCH_CONFIG: .*allowlist\.0.*at least one of principal/,
    ],
  ])("names the variable: %j", (overrides, message) => {
    expect(() => loadEnvironment({ ...VALID, ...overrides })).toThrow(message);
  });

  it("lists every variable the construct can set", () => {
    expect(Object.values(AUDIT_ENV).sort()).toEqual([
      "ALL_CLEAR_EMAIL",
      "MINEWATCH_CONFIG",
      "REPORT_BUCKET",
      "REPORT_PREFIX",
      "STATE_TABLE",
      "STATE_TTL_DAYS",
      "TOPIC_ARN",
    ]);
  });
});
