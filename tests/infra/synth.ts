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
  /** The cloud assembly directory (bundled assets land in asset.<hash>/ folders). */
  outdir: string;
  stack: MinewatchStack;
  template: Template;
  /** The policy validation report cdk-nag wrote into the cloud assembly. */
  validationReport: ValidationReport;
}

export interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    conclusion: string;
    violations: Array<{
      ruleName: string;
      description: string;
      violatingConstructs?: Array<{ constructPath?: string }>;
    }>;
  }>;
}

/**
 * Bundling the audit function with esbuild takes close to a minute on a 2-core machine, so only the
 * test that proves offline bundling works asks for it; the others skip it (CDK's bundling-stacks
 * context) and assert the template, which bundling does not change.
 */
export function synthesize(
  context: Record<string, unknown> = {},
  options: { bundle?: boolean; acknowledge?: boolean } = {},
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), "minewatch-cdk-"));
  const app = new App({
    outdir,
    context: { ...(options.bundle ? {} : { "aws:cdk:bundling-stacks": [] }), ...context },
  });
  const settings: DeployConfig = readDeployConfig((key) => app.node.tryGetContext(key));
  const stack = new MinewatchStack(app, "Minewatch", { settings });
  if (options.acknowledge !== false) applyNagAcknowledgements(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let synthError: unknown;
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  const reportPath = join(outdir, "validation-report.json");
  let validationReport: ValidationReport;
  try {
    validationReport = JSON.parse(readFileSync(reportPath, "utf8")) as ValidationReport;
  } catch {
    throw synthError ?? new Error(`cdk-nag wrote no validation report at ${reportPath}`);
  }
  if (synthError && validationReport.pluginReports.every((r) => r.violations.length === 0)) throw synthError;
  // From the written file: Template.fromStack would synthesize (and validate) a second time.
  const template = Template.fromJSON(
    JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.template.json`), "utf8")),
  );
  return { outdir, stack, template, validationReport };
}
