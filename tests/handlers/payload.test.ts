import { describe, expect, it } from "vitest";
import { parsePayload, payloadWindow, SCHEDULE_PAYLOADS } from "../../lambda/handlers/payload.js";

const NOW = new Date("2026-03-10T06:00:00.000Z");
const HOUR = 3600_000;

describe("parsePayload", () => {
  it.each([
    [{ mode: "daily" }, { mode: "daily" }],
    [
      { mode: "sweep", lookbackHours: 2 },
      { mode: "sweep", lookbackHours: 2 },
    ],
    [{ mode: "incident" }, { mode: "incident", publish: false }],
    [
      { mode: "incident", regions: ["us-east-1"], accessKeyId: "ASIAIOSFODNN7EXAMPLE", publish: true },
      { mode: "incident", regions: ["us-east-1"], accessKeyId: "ASIAIOSFODNN7EXAMPLE", publish: true },
    ],
  ])("accepts %j", (event, payload) => {
    expect(parsePayload(event)).toEqual({ ok: true, payload });
  });

  it.each([
    [{ mode: "incident", lookbackHours: 2000 }, /^lookbackHours: at most 1488 hours/],
    [{ mode: "incident", lookbackHours: 0 }, /^lookbackHours: expected a positive number/],
    [{ mode: "incident", publish: "yes" }, /^publish: expected true or false/],
    [{ mode: "incident", principal: "alice" }, /^principal: expected an IAM or STS principal ARN/],
    [{ mode: "incident", start: "2026-03-10T00:00:00Z", lookbackHours: 6 }, /^lookbackHours: give either start/],
    [{ mode: "incident", start: "2026-03-10T06:00:00Z", end: "2026-03-10T00:00:00Z" }, /^end: must be after start/],
    [{ mode: "daily", regions: ["us-east-1"] }, /Unrecognized key: "regions"/],
    [[], /must be a JSON object/],
  ])("rejects %j", (event, error) => {
    const result = parsePayload(event);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.error).toMatch(error);
  });
});

it.each(Object.entries(SCHEDULE_PAYLOADS))("the %s schedule payload is valid", (_, payload) => {
  expect(parsePayload(payload).ok).toBe(true);
});

describe("payloadWindow", () => {
  const parse = (event: unknown) => {
    const result = parsePayload(event);
    if (!result.ok) throw new Error(result.error);
    return result.payload;
  };
  it.each([
    [{ mode: "daily" }, undefined],
    [
      { mode: "sweep", lookbackHours: 2 },
      { start: new Date(NOW.getTime() - 2 * HOUR), end: NOW },
    ],
    [{ mode: "incident" }, undefined],
    [
      { mode: "incident", lookbackHours: 6 },
      { start: new Date(NOW.getTime() - 6 * HOUR), end: NOW },
    ],
    [
      { mode: "incident", end: "2026-03-09T00:00:00Z" },
      { start: new Date("2026-03-08T00:00:00Z"), end: new Date("2026-03-09T00:00:00Z") },
    ],
    [
      { mode: "incident", start: "2026-03-09T12:00:00Z" },
      { start: new Date("2026-03-09T12:00:00Z"), end: NOW },
    ],
  ])("%j -> %j", (event, window) => {
    expect(payloadWindow(parse(event), NOW, 24)).toEqual(window);
  });
});
