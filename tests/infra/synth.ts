/**
 * Synthesizes the Minewatch stack once per test file, offline, with cdk-nag's AwsSolutions pack
 * registered exactly as bin/app.ts registers it.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Validations } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { type DeployConfig, readDeployConfig } from "../../lib/deploy-config.js";
import { MinewatchStack } from "../../lib/minewatch-stack.js";
import { applyNagAcknowledgements } from "../../lib/nag-acknowledgements.js";

export interface Synthesized {
  stack: MinewatchStack;
  template: Template;
  /** The policy validation report cdk-nag wrote into the cloud assembly. */
  validationReport: ValidationReport;
}

export interface ValidationReport {
  pluginReports: Array<{
    summary: { pluginName: string; status: string };
    violations: Array<{ ruleName: string; description: string; violatingConstructs?: Array<{ constructPath?: string }> }>;
  }>;
}

export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), "minewatch-cdk-"));
  const app = new App({ outdir, context });
  const settings: DeployConfig = readDeployConfig((key) => app.node.tryGetContext(key));
  const stack = new MinewatchStack(app, "Minewatch", { settings });
  applyNagAcknowledgements(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let synthError: unknown;
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  const reportPath = join(outdir, "policy-validation-report.json");
  let validationReport: ValidationReport;
  try {
    validationReport = JSON.parse(readFileSync(reportPath, "utf8")) as ValidationReport;
  } catch {
    throw synthError ?? new Error(`cdk-nag wrote no validation report at ${reportPath}`);
  }
  if (synthError && validationReport.pluginReports.every((r) => r.violations.length === 0)) throw synthError;
  return { stack, template: Template.fromStack(stack), validationReport };
}
