/**
 * The organization stacks: the member role trusts only the org audit role with the external id and
 * reads exactly what the audit reads; the state machine fans out with retries, backoff and a
 * failure-recording Catch; cdk-nag AwsSolutions finds nothing unacknowledged.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { AUDIT_READ_PERMISSIONS } from "../../lib/audit-permissions.js";
import { chooseMapMode, readOrgSettings } from "../../lib/org/org-settings.js";
import { type OrgSynthesized, synthesizeOrg, TEST_EXTERNAL_ID } from "./org-synth.js";
import type { ValidationReport } from "./synth.js";

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type State = {
  Type: string;
  Next?: string;
  End?: boolean;
  Retry?: Array<{ ErrorEquals: string[]; IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string; ResultPath?: string }>;
  ItemProcessor?: { ProcessorConfig?: { Mode?: string }; StartAt: string; States: Record<string, State> };
  MaxConcurrency?: number;
  ItemsPath?: string;
  ResultPath?: string | null;
  Resource?: string;
  Parameters?: Record<string, unknown>;
};
type Definition = { StartAt: string; States: Record<string, State> };

const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

function violations(report: ValidationReport): string[] {
  return report.pluginReports.flatMap((r) => r.violations.map((v) => v.ruleName)).sort();
}

/** The state machine definition with CloudFormation tokens replaced by placeholders. */
function definitionOf(synth: OrgSynthesized): Definition {
  const machines = Object.values(synth.org.findResources("AWS::StepFunctions::StateMachine")) as Array<{
    Properties: { DefinitionString: { "Fn::Join": [string, unknown[]] } };
  }>;
  expect(machines).toHaveLength(1);
  const parts = (machines[0] as (typeof machines)[number]).Properties.DefinitionString["Fn::Join"][1];
  const text = parts.map((p) => (typeof p === "string" ? p : "TOKEN")).join("");
  return JSON.parse(text) as Definition;
}

function memberRole(synth: OrgSynthesized) {
  const roles = Object.values(synth.member.findResources("AWS::IAM::Role")) as Array<{
    Properties: {
      RoleName: string;
      AssumeRolePolicyDocument: { Statement: Statement[] & { Principal?: unknown }[] };
      Policies: Array<{ PolicyDocument: { Statement: Statement[] } }>;
      ManagedPolicyArns?: unknown[];
    };
  }>;
  expect(roles).toHaveLength(1);
  return (roles[0] as (typeof roles)[number]).Properties;
}

describe("organization stacks (distributed map)", () => {
  let synth: OrgSynthesized;
  beforeAll(() => {
    synth = synthesizeOrg({ orgAccounts: "500", emails: "secops@example.com" });
  });

  it("member role: trusts only the org audit role ARN, and only with the external id", () => {
    const role = memberRole(synth);
    expect(role.RoleName).toBe("MinewatchAuditRole");
    const trust = role.AssumeRolePolicyDocument.Statement as Array<Statement & { Principal: unknown }>;
    expect(trust).toHaveLength(1);
    const [statement] = trust;
    expect(statement?.Effect).toBe("Allow");
    expect(statement?.Action).toBe("sts:AssumeRole");
    expect(statement?.Principal).toEqual({
      AWS: {
        "Fn::Join": [
          "",
          ["arn:", { Ref: "AWS::Partition" }, ":iam::", { Ref: "OrgAccountId" }, ":role/MinewatchOrgAuditRole"],
        ],
      },
    });
    expect(statement?.Condition).toEqual({ StringEquals: { "sts:ExternalId": { Ref: "ExternalId" } } });
    synth.member.hasParameter("ExternalId", { NoEcho: true, Type: "String" });
    synth.member.hasParameter("OrgAccountId", { AllowedPattern: "^\\d{12}$" });
    // Deployable by a StackSet to accounts that were never CDK-bootstrapped.
    expect(Object.keys(synth.member.toJSON().Parameters ?? {})).not.toContain("BootstrapVersion");
    expect(synth.member.toJSON().Rules).toBeUndefined();
  });

  it("member role: exactly the audit read permissions, read-only, no managed policies", () => {
    const role = memberRole(synth);
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const granted = statements.flatMap((s) => asList(s.Action)).sort();
    const expected = AUDIT_READ_PERMISSIONS.flatMap((p) => p.actions).sort();
    expect(granted).toEqual(expected);
    for (const statement of statements) expect(statement.Effect).toBe("Allow");
    for (const action of granted) expect(action).toMatch(/^[a-z0-9-]+:(Describe|Get|List|Lookup|BatchGet)[A-Za-z]*$/);
    expect(synth.member.findResources("AWS::IAM::Policy")).toEqual({});
  });

  it("names the org audit role the member roles trust, and lets it assume only MinewatchAuditRole", () => {
    synth.org.hasResourceProperties("AWS::IAM::Role", { RoleName: "MinewatchOrgAuditRole" });
    const policies = Object.values(synth.org.findResources("AWS::IAM::Policy")) as Array<{
      Properties: { PolicyDocument: { Statement: Statement[] } };
    }>;
    const assume = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => asList(s.Action).includes("sts:AssumeRole"));
    expect(assume).toHaveLength(1);
    expect(JSON.stringify(assume[0]?.Resource)).toContain(":iam::*:role/MinewatchAuditRole");
    synth.org.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: { EXTERNAL_ID: TEST_EXTERNAL_ID, MEMBER_ROLE_NAME: "MinewatchAuditRole" } },
    });
  });

  it("state machine: lists accounts, fans out in a Distributed Map with MaxConcurrency, then aggregates", () => {
    const definition = definitionOf(synth);
    expect(definition.StartAt).toBe("ListAccounts");
    expect(definition.States.ListAccounts?.Next).toBe("AuditEachAccount");
    const map = definition.States.AuditEachAccount as State;
    expect(map.Type).toBe("Map");
    expect(map.ItemProcessor?.ProcessorConfig?.Mode).toBe("DISTRIBUTED");
    expect(map.MaxConcurrency).toBe(50);
    expect(map.ItemsPath).toBe("$.listing.accounts");
    expect(map.ResultPath).toBeNull();
    expect(map.Next).toBe("Aggregate");
    // Even a failing Map reaches the aggregate, which reports the accounts without an outcome.
    expect(map.Catch).toEqual([expect.objectContaining({ ErrorEquals: ["States.ALL"], Next: "Aggregate" })]);
    expect(definition.States.Aggregate?.End).toBe(true);
  });

  it("each account: Retry on Lambda service errors and throttling with BackoffRate, Catch to a failure-recording state", () => {
    const processor = (definitionOf(synth).States.AuditEachAccount as State).ItemProcessor;
    expect(processor?.StartAt).toBe("AuditAccount");
    const audit = processor?.States.AuditAccount as State;
    const serviceRetry = audit.Retry?.find((r) => r.ErrorEquals.includes("Lambda.TooManyRequestsException"));
    expect(serviceRetry?.ErrorEquals).toEqual(
      expect.arrayContaining(["Lambda.ServiceException", "Lambda.SdkClientException"]),
    );
    expect(serviceRetry?.BackoffRate).toBeGreaterThan(1);
    expect(serviceRetry?.MaxAttempts).toBeGreaterThan(1);
    const accountRetry = audit.Retry?.find((r) => r.ErrorEquals.includes("RetryableAccountError"));
    expect(accountRetry?.BackoffRate).toBeGreaterThan(1);
    expect(audit.Catch).toEqual([
      { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "DescribeAccountFailure" },
    ]);

    const describe = processor?.States.DescribeAccountFailure as State;
    expect(describe.Parameters).toMatchObject({
      status: "failed",
      stage: "step-functions",
      "accountId.$": "$.account.id",
    });
    const record = processor?.States[describe.Next ?? ""] as State;
    expect(record.Resource).toContain(":states:::aws-sdk:s3:putObject");
    expect(record.Parameters).toMatchObject({
      "Key.$": "States.Format('{}/outcomes/{}.json', $.runPrefix, $.account.id)",
      "Body.$": "States.JsonToString($.outcome)",
    });
    // Not even a failed record fails the item.
    expect(record.Catch?.[0]?.ErrorEquals).toEqual(["States.ALL"]);
  });

  it("runs daily on the configured schedule, logs ALL events and traces with X-Ray", () => {
    synth.org.hasResourceProperties("AWS::Scheduler::Schedule", { ScheduleExpression: "cron(00 07 * * ? *)" });
    synth.org.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      LoggingConfiguration: { Level: "ALL", IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
  });

  it("cdk-nag AwsSolutions: zero unacknowledged findings on both org stacks", () => {
    expect(violations(synth.validationReport)).toEqual([]);
  });
});

describe("organization stacks (inline map, small organization)", () => {
  it("uses an inline Map for 40 accounts or fewer, capped at 40 concurrent audits, and stays nag-clean", () => {
    const synth = synthesizeOrg({ orgAccounts: "12", orgMaxConcurrency: "100" });
    const map = definitionOf(synth).States.AuditEachAccount as State;
    expect(map.Type).toBe("Map");
    expect(map.ItemProcessor?.ProcessorConfig?.Mode ?? "INLINE").toBe("INLINE");
    expect(map.MaxConcurrency).toBe(40);
    expect(violations(synth.validationReport)).toEqual([]);
  });
});

describe("organization settings", () => {
  it.each([
    [undefined, "distributed"],
    [1, "inline"],
    [40, "inline"],
    [41, "distributed"],
    [5000, "distributed"],
  ] as const)("%s accounts -> %s map", (accounts, mode) => {
    expect(chooseMapMode(accounts)).toBe(mode);
  });

  it("requires an external id with a sentence, and rejects a bad one", () => {
    expect(() => readOrgSettings(() => undefined)).toThrow(/orgExternalId/);
    expect(() => readOrgSettings((key) => (key === "orgExternalId" ? "bad id with spaces" : undefined))).toThrow(
      /orgExternalId/,
    );
  });
});
