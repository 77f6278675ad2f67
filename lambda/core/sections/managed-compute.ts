/**
 * Managed compute attackers use when EC2 is watched: SageMaker notebooks (and their lifecycle
 * scripts), CodeBuild projects and builds, Amplify apps, Lambda functions. Scripts are redacted.
 */
import { z } from "zod";
import { awsRegion, isoDateTime, RedactedTextSchema } from "./common.js";

export const NotebookInstanceSchema = z.object({
  name: z.string(),
  arn: z.string(),
  region: awsRegion,
  instanceType: z.string(),
  status: z.string(),
  creationTime: isoDateTime,
  lastModifiedTime: isoDateTime.optional(),
  lifecycleConfigName: z.string().optional(),
  roleArn: z.string().optional(),
});

export const NotebookLifecycleConfigSchema = z.object({
  name: z.string(),
  region: awsRegion,
  creationTime: isoDateTime.optional(),
  onCreate: RedactedTextSchema.optional(),
  onStart: RedactedTextSchema.optional(),
});

export const CodeBuildProjectSchema = z.object({
  name: z.string(),
  arn: z.string(),
  region: awsRegion,
  /** BUILD_GENERAL1_SMALL ... BUILD_GENERAL1_2XLARGE, BUILD_LAMBDA_*. */
  computeType: z.string().optional(),
  image: z.string().optional(),
  environmentType: z.string().optional(),
  /** Inline buildspec (redacted); absent when the buildspec lives in the source repository. */
  buildspec: RedactedTextSchema.optional(),
  serviceRole: z.string().optional(),
  created: isoDateTime.optional(),
  lastModified: isoDateTime.optional(),
});

export const CodeBuildBuildSchema = z.object({
  id: z.string(),
  projectName: z.string(),
  region: awsRegion,
  startTime: isoDateTime,
  endTime: isoDateTime.optional(),
  status: z.string(),
  initiator: z.string().optional(),
});

export const AmplifyAppSchema = z.object({
  appId: z.string(),
  name: z.string(),
  region: awsRegion,
  createTime: isoDateTime,
  repository: z.string().optional(),
  platform: z.string().optional(),
  buildSpec: RedactedTextSchema.optional(),
});

export const LambdaFunctionSchema = z.object({
  name: z.string(),
  arn: z.string(),
  region: awsRegion,
  runtime: z.string().optional(),
  packageType: z.string().optional(),
  memorySize: z.number().int(),
  /** Seconds. */
  timeout: z.number().int(),
  lastModified: isoDateTime,
  codeSha256: z.string().optional(),
  role: z.string().optional(),
});

export const ManagedComputeSchema = z.object({
  regionsRead: z.record(z.string(), z.array(z.string())).default({}),
  notebookInstances: z.array(NotebookInstanceSchema).default([]),
  notebookLifecycleConfigs: z.array(NotebookLifecycleConfigSchema).default([]),
  codeBuildProjects: z.array(CodeBuildProjectSchema).default([]),
  codeBuildBuilds: z.array(CodeBuildBuildSchema).default([]),
  amplifyApps: z.array(AmplifyAppSchema).default([]),
  lambdaFunctions: z.array(LambdaFunctionSchema).default([]),
});

export type NotebookInstance = z.infer<typeof NotebookInstanceSchema>;
export type NotebookLifecycleConfig = z.infer<typeof NotebookLifecycleConfigSchema>;
export type CodeBuildProject = z.infer<typeof CodeBuildProjectSchema>;
export type CodeBuildBuild = z.infer<typeof CodeBuildBuildSchema>;
export type AmplifyApp = z.infer<typeof AmplifyAppSchema>;
export type LambdaFunction = z.infer<typeof LambdaFunctionSchema>;
export type ManagedCompute = z.infer<typeof ManagedComputeSchema>;
