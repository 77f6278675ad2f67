#!/usr/bin/env node
/**
 * CDK app entry: `npx cdk deploy -c emails=secops@example.com -c dailyAt=07:30 -c timeZone=Europe/Berlin`.
 * Environment-agnostic, so `npx cdk synth` works offline with no credentials.
 *
 * Organization-wide auditing (docs/organizations.md) is behind context flags, so the default synth
 * stays the single-account stack:
 *   -c org=true -c orgExternalId=<id>   adds MinewatchOrg (management or delegated administrator
 *                                       account) and MinewatchMemberRole (the StackSet template)
 *   -c memberRole=true                  adds only MinewatchMemberRole (no external id needed: it is
 *                                       a template parameter)
 */
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { UserInputError } from "../lambda/core/input.js";
import { readDeployConfig } from "../lib/deploy-config.js";
import { MinewatchStack } from "../lib/minewatch-stack.js";
import { applyNagAcknowledgements } from "../lib/nag-acknowledgements.js";
import { MinewatchMemberRoleStack } from "../lib/org/member-role.js";
import { MinewatchOrgStack } from "../lib/org/org-audit-stack.js";
import { applyMemberRoleNagAcknowledgements, applyOrgNagAcknowledgements } from "../lib/org/org-nag.js";
import { readOrgSettings } from "../lib/org/org-settings.js";

const app = new App();
const flag = (key: string) => String(app.node.tryGetContext(key) ?? "false") === "true";
try {
  const context = (key: string) => app.node.tryGetContext(key);
  const settings = readDeployConfig(context);
  const stack = new MinewatchStack(app, "Minewatch", { settings });
  applyNagAcknowledgements(stack);
  if (flag("org") || flag("memberRole")) {
    const memberStack = new MinewatchMemberRoleStack(app, "MinewatchMemberRole");
    applyMemberRoleNagAcknowledgements(memberStack);
    if (flag("org")) {
      const orgStack = new MinewatchOrgStack(app, "MinewatchOrg", { settings, org: readOrgSettings(context) });
      applyOrgNagAcknowledgements(orgStack);
    }
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  app.synth();
} catch (error) {
  if (error instanceof UserInputError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
