import { describe, expect, it } from "vitest";
import { iamPersistence } from "../../lambda/rules/iam-persistence.js";
import type { Severity } from "../../lambda/rules/types.js";
import {
  attachUserPolicy,
  CONSOLE_AGENT,
  cloudTrailSection,
  createAccessKey,
  createUser,
  iamUserIdentity,
  runInstances,
  type TrailRecord,
} from "../support/cloudtrail-events.js";
import { ACCOUNT_ID, buildSnapshot, daysAgo, hoursAgo, ruleContext } from "../support/snapshot-builder.js";

const USER_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/ci-deploy`;
const ADMIN_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/alice`;
const leaked = iamUserIdentity("ci-deploy", "AKIA4EXAMPLECIDEPLOY");
const alice = iamUserIdentity("alice", "ASIA4EXAMPLEALICE001");
const spareUser = (identity = leaked, time = hoursAgo(5.5)) => [
  createUser({ identity, time, userName: "backup-svc" }),
  createAccessKey({ identity, time, userName: "backup-svc", newAccessKeyId: "AKIA4EXAMPLEBACKUP01" }),
  attachUserPolicy({
    identity,
    time,
    userName: "backup-svc",
    policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
  }),
];
const launch = runInstances({
  identity: leaked,
  time: hoursAgo(6),
  region: "us-east-2",
  instanceIds: ["i-0a00000000000001a"],
});

function evaluate(records: TrailRecord[]) {
  const snapshot = buildSnapshot({ cloudTrail: cloudTrailSection(records, daysAgo(8)) });
  return iamPersistence.evaluate(snapshot, ruleContext(snapshot));
}

describe("MW-IAM-PERSISTENCE", () => {
  const cases: { name: string; records: TrailRecord[]; expected: { id: string; severity: Severity }[] }[] = [
    {
      name: "a spare admin user and key from the principal that launched compute: high",
      records: [launch, ...spareUser()],
      expected: [{ id: USER_ARN, severity: "high" }],
    },
    {
      name: "an administrator creating a user in the console, no compute: low",
      records: spareUser(alice).map((r) => ({ ...r, userAgent: CONSOLE_AGENT })),
      expected: [{ id: ADMIN_ARN, severity: "low" }],
    },
    {
      name: "quiet: a denied CreateUser created nothing",
      records: [
        launch,
        {
          ...createUser({ identity: leaked, time: hoursAgo(5), userName: "backup-svc" }),
          errorCode: "AccessDenied",
          errorMessage: "not authorized",
          responseElements: null,
        },
      ],
      expected: [],
    },
    { name: "quiet: IAM changes before the window", records: [launch, ...spareUser(leaked, daysAgo(2))], expected: [] },
    { name: "quiet: launches only", records: [launch], expected: [] },
  ];

  it.each(cases)("$name", ({ records, expected }) => {
    const signals = evaluate(records);
    expect(signals.map((s) => ({ id: s.resource.id, severity: s.severity }))).toEqual(expected);
    for (const signal of signals) {
      expect(signal.ruleId).toBe("MW-IAM-PERSISTENCE");
      expect(signal.resource).toMatchObject({ type: "principal", region: "global" });
    }
  });

  it("lists what to remove: users, keys, policies", () => {
    const [signal] = evaluate([launch, ...spareUser()]);
    expect(signal?.message).toContain("created IAM user backup-svc");
    expect(signal?.message).toContain("created access key AKIA4EXAMPLEBACKUP01 for backup-svc");
    expect(signal?.message).toContain("attached AdministratorAccess to backup-svc");
    expect(signal?.message).toContain("An administrator policy was attached.");
    expect(signal?.details).toMatchObject({
      principalArn: USER_ARN,
      accessKeyIds: ["AKIA4EXAMPLECIDEPLOY"],
      createdUsers: ["backup-svc"],
      createdAccessKeyIds: ["AKIA4EXAMPLEBACKUP01"],
      attachedPolicies: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      adminPolicyAttached: true,
      launchedCompute: true,
    });
  });
});
