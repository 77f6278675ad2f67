/**
 * The read-only role Minewatch assumes in every member account of an organization.
 *
 * Its permissions are exactly the audit's read permissions (lib/audit-permissions.ts, the one list
 * the single-account function uses too, cross-checked against the collectors' API calls), and its
 * trust policy names one principal only: the MinewatchOrgAuditRole of the management or delegated
 * administrator account, and only with the external id (AWS's guard against the confused deputy).
 *
 * `MinewatchMemberRoleStack` wraps it for a CloudFormation StackSet: the management account id and
 * the external id are template parameters (one template for every account), and the template needs
 * no CDK bootstrap in the member accounts (no assets, no bootstrap version rule).
 */
import { Aws, CfnParameter, DefaultStackSynthesizer, Duration, Stack, type StackProps } from "aws-cdk-lib";
import { ArnPrincipal, PolicyDocument, PolicyStatement, Role } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { EXTERNAL_ID_PATTERN, MEMBER_ROLE_NAME, ORG_AUDIT_ROLE_NAME } from "../../lambda/org/environment.js";
import { AUDIT_READ_PERMISSIONS } from "../audit-permissions.js";

export interface MinewatchMemberRoleProps {
  /** The management or delegated administrator account that runs MinewatchOrgStack. */
  orgAccountId: string;
  /** Must equal the org stack's external id (`-c orgExternalId=...`). */
  externalId: string;
  /** MinewatchAuditRole unless overridden (the org stack's audit function assumes this name). */
  roleName?: string;
}

/** The ARN of the org stack's audit-account function role: the only principal member roles trust. */
export function orgAuditRoleArn(orgAccountId: string, partition: string = Aws.PARTITION): string {
  return `arn:${partition}:iam::${orgAccountId}:role/${ORG_AUDIT_ROLE_NAME}`;
}

export class MinewatchMemberRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: MinewatchMemberRoleProps) {
    super(scope, id);
    const { partition, account } = Stack.of(this);
    const statements = AUDIT_READ_PERMISSIONS.map(
      (permission) =>
        new PolicyStatement({ actions: permission.actions, resources: permission.resources({ partition, account }) }),
    );
    this.role = new Role(this, "Role", {
      roleName: props.roleName ?? MEMBER_ROLE_NAME,
      description:
        "Minewatch: read-only audit of this account for unauthorized cryptocurrency mining, by the organization's Minewatch",
      // A role ARN principal (not the account root): only that one role may assume this one.
      assumedBy: new ArnPrincipal(orgAuditRoleArn(props.orgAccountId, partition)).withConditions({
        StringEquals: { "sts:ExternalId": props.externalId },
      }),
      // One audit takes minutes; an hour is STS's minimum ceiling and plenty.
      maxSessionDuration: Duration.hours(1),
      // Inline: the role and its permissions are one resource, created and deleted together by the StackSet.
      inlinePolicies: { MinewatchAuditRead: new PolicyDocument({ statements }) },
    });
  }
}

export class MinewatchMemberRoleStack extends Stack {
  readonly memberRole: MinewatchMemberRole;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: "Minewatch member account role (deploy with a CloudFormation StackSet to every member account)",
      // StackSet targets are not CDK-bootstrapped: no BootstrapVersion parameter or rule in the template.
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      ...props,
    });
    const orgAccountId = new CfnParameter(this, "OrgAccountId", {
      type: "String",
      description: "The management or delegated administrator account running MinewatchOrgStack",
      allowedPattern: "^\\d{12}$",
      constraintDescription: "a 12-digit AWS account id",
    });
    const externalId = new CfnParameter(this, "ExternalId", {
      type: "String",
      description: "The external id MinewatchOrgStack was deployed with (-c orgExternalId=...)",
      noEcho: true,
      minLength: 2,
      maxLength: 1224,
      allowedPattern: EXTERNAL_ID_PATTERN.source.replace(/\{2,1224\}/, "+"),
      constraintDescription: "2-1224 characters of letters, digits and +=,.@:/-",
    });
    this.memberRole = new MinewatchMemberRole(this, "MemberRole", {
      orgAccountId: orgAccountId.valueAsString,
      externalId: externalId.valueAsString,
    });
  }
}
