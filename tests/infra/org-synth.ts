/**
 * Synthesizes the organization stacks (MinewatchOrgStack and MinewatchMemberRoleStack) offline, with
 * cdk-nag's AwsSolutions pack registered as bin/app.ts registers it, and without esbuild bundling
 * (CDK's bundling-stacks context; tests/infra/stack.test.ts proves bundling works for the house construct).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Validations } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { readDeployConfig } from "../../lib/deploy-config.js";
import { MinewatchMemberRoleStack } from "../../lib/org/member-role.js";
import { MinewatchOrgStack } from "../../lib/org/org-audit-stack.js";
import { applyMemberRoleNagAcknowledgements, applyOrgNagAcknowledgements } from "../../lib/org/org-nag.js";
import { readOrgSettings } from "../../lib/org/org-settings.js";
import type { ValidationReport } from "./synth.js";

export interface OrgSynthesized {
  orgStack: MinewatchOrgStack;
  memberStack: MinewatchMemberRoleStack;
  org: Template;
  member: Template;
  validationReport: ValidationReport;
}

export const TEST_EXTERNAL_ID = "mw-test-external-id-0123456789";

export function synthesizeOrg(
  context: Record<string, unknown> = {},
  options: { acknowledge?: boolean } = {},
): OrgSynthesized {
  const outdir = mkdtempSync(join(tmpdir(), "minewatch-org-cdk-"));
  const app = new App({
    outdir,
    context: { "aws:cdk:bundling-stacks": [], orgExternalId: TEST_EXTERNAL_ID, ...context },
  });
  const get = (key: string) => app.node.tryGetContext(key);
  const orgStack = new MinewatchOrgStack(app, "MinewatchOrg", {
    settings: readDeployConfig(get),
    org: readOrgSettings(get),
  });
  const memberStack = new MinewatchMemberRoleStack(app, "MinewatchMemberRole");
  if (options.acknowledge !== false) {
    applyOrgNagAcknowledgements(orgStack);
    applyMemberRoleNagAcknowledgements(memberStack);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let synthError: unknown;
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  let validationReport: ValidationReport;
  try {
    validationReport = JSON.parse(readFileSync(join(outdir, "validation-report.json"), "utf8")) as ValidationReport;
  } catch {
    throw synthError ?? new Error("cdk-nag wrote no validation report");
  }
  if (synthError && validationReport.pluginReports.every((r) => r.violations.length === 0)) throw synthError;
  const read = (stack: { artifactId: string }) =>
    Template.fromJSON(JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.template.json`), "utf8")));
  return { orgStack, memberStack, org: read(orgStack), member: read(memberStack), validationReport };
}
