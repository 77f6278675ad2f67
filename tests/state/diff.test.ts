import { describe, expect, it } from "vitest";
import { auditedBy, diffFindings, type OpenFindingState } from "../../lambda/state/diff.js";
import { syntheticFinding, syntheticReport } from "../handlers/fixtures.js";

const A = syntheticFinding(1, "critical", "sa-east-1");
const B = syntheticFinding(2, "high", "us-east-2");
const C = syntheticFinding(3, "medium", "eu-north-1");

function open(findingId: string, region: string, firstReported = "2026-03-09T06:00:00.000Z"): OpenFindingState {
  return { findingId, firstReported, lastSeen: firstReported, severity: "high", title: "t", region };
}

describe("diffFindings", () => {
  it.each([
    { name: "first run: everything new", previous: [], current: [A, B], new: [A.id, B.id], ongoing: [], resolved: [] },
    {
      name: "same incident again: ongoing, not new",
      previous: [open(A.id, "sa-east-1")],
      current: [A],
      new: [],
      ongoing: [A.id],
      resolved: [],
    },
    {
      name: "one ended, one started",
      previous: [open(A.id, "sa-east-1")],
      current: [B],
      new: [B.id],
      ongoing: [],
      resolved: [A.id],
    },
    {
      name: "nothing now: all resolved",
      previous: [open(A.id, "sa-east-1"), open(C.id, "eu-north-1")],
      current: [],
      new: [],
      ongoing: [],
      resolved: [A.id, C.id],
    },
  ])("$name", ({ previous, current, ...expected }) => {
    const diff = diffFindings(previous, current, { resolveMissing: true });
    expect(diff.new.map((f) => f.id)).toEqual(expected.new);
    expect(diff.ongoing.map((o) => o.finding.id)).toEqual(expected.ongoing);
    expect(diff.resolved.map((s) => s.findingId)).toEqual(expected.resolved);
    expect(diff.notRechecked).toEqual([]);
  });

  it("keeps the first-reported time as `since`", () => {
    const diff = diffFindings([open(A.id, "sa-east-1", "2026-03-01T06:00:00.000Z")], [A], { resolveMissing: true });
    expect(diff.ongoing[0]?.since).toBe("2026-03-01T06:00:00.000Z");
  });

  it("never resolves when told not to (sweeps, incident runs)", () => {
    const diff = diffFindings([open(A.id, "sa-east-1")], [], { resolveMissing: false });
    expect(diff.resolved).toEqual([]);
    expect(diff.notRechecked).toEqual([]);
  });

  it("keeps open what this run could not audit, instead of calling it resolved", () => {
    const base = syntheticReport([]);
    const report = {
      ...base,
      coverage: {
        ...base.coverage,
        regionsAudited: base.coverage.regionsAudited.filter((r) => r !== "sa-east-1"),
        gaps: [
          {
            region: "global",
            service: "ce",
            api: "GetCostAndUsage",
            status: "failed" as const,
            reason: "throttled" as const,
          },
        ],
      },
    };
    const previous = [open(A.id, "sa-east-1"), open(B.id, "us-east-2"), open("mw-cost", "global")];
    const diff = diffFindings(previous, [], { resolveMissing: true, wasAudited: auditedBy(report) });
    expect(diff.resolved.map((s) => s.findingId)).toEqual([B.id]);
    expect(diff.notRechecked.map((s) => s.findingId)).toEqual([A.id, "mw-cost"]);
  });
});
