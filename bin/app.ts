#!/usr/bin/env node
/**
 * CDK app entry: `npx cdk deploy -c emails=secops@example.com -c dailyAt=07:30 -c timeZone=Europe/Berlin`.
 * Environment-agnostic, so `npx cdk synth` works offline with no credentials.
 */
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { UserInputError } from "../lambda/core/input.js";
import { readDeployConfig } from "../lib/deploy-config.js";
import { MinewatchStack } from "../lib/minewatch-stack.js";
import { applyNagAcknowledgements } from "../lib/nag-acknowledgements.js";

const app = new App();
try {
  const settings = readDeployConfig((key) => app.node.tryGetContext(key));
  const stack = new MinewatchStack(app, "Minewatch", { settings });
  applyNagAcknowledgements(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  app.synth();
} catch (error) {
  if (error instanceof UserInputError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
