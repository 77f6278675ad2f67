/** Machinery that relaunches what a responder terminates: Auto Scaling groups, launch templates, spot requests and fleets. */
import { z } from "zod";
import { awsRegion, isoDateTime, RedactedTextSchema } from "./common.js";

export const AutoScalingGroupSchema = z.object({
  name: z.string(),
  arn: z.string().optional(),
  region: awsRegion,
  createdTime: isoDateTime,
  minSize: z.number().int(),
  maxSize: z.number().int(),
  desiredCapacity: z.number().int(),
  /** The launch template of the group, or of its mixed instances policy. */
  launchTemplateId: z.string().optional(),
  launchTemplateName: z.string().optional(),
  launchConfigurationName: z.string().optional(),
  /** Types it launches: the launch template's, or every override of a mixed instances policy. */
  instanceTypes: z.array(z.string()).default([]),
  instanceIds: z.array(z.string()).default([]),
  tags: z.record(z.string(), z.string()).default({}),
});

export const LaunchTemplateSchema = z.object({
  id: z.string(),
  name: z.string(),
  region: awsRegion,
  createTime: isoDateTime,
  createdBy: z.string().optional(),
  latestVersion: z.number().int().optional(),
  instanceType: z.string().optional(),
  imageId: z.string().optional(),
  /** User data of the latest version, decoded and redacted (read only for templates worth a look). */
  userData: RedactedTextSchema.optional(),
  /** DisableApiTermination in the latest version: every instance it launches resists termination. */
  disableApiTermination: z.boolean().optional(),
});

export const SpotRequestSchema = z.object({
  id: z.string(),
  region: awsRegion,
  state: z.string(),
  /** one-time or persistent (persistent relaunches). */
  type: z.string(),
  instanceType: z.string().optional(),
  createTime: isoDateTime,
  instanceId: z.string().optional(),
  /** User data of the launch specification, decoded and redacted. */
  userData: RedactedTextSchema.optional(),
});

export const FleetSchema = z.object({
  id: z.string(),
  region: awsRegion,
  /** ec2-fleet (request/maintain/instant) or spot-fleet. */
  kind: z.enum(["ec2-fleet", "spot-fleet"]),
  type: z.string().optional(),
  state: z.string(),
  createTime: isoDateTime,
  targetCapacity: z.number().optional(),
  instanceTypes: z.array(z.string()).default([]),
  launchTemplateIds: z.array(z.string()).default([]),
  /** Instances it owns: from the fleet's own answer and the inventory's aws:ec2:fleet-id / aws:ec2spot:fleet-request-id tags. */
  instanceIds: z.array(z.string()).default([]),
  /** User data of a spot fleet's launch specifications (the first that has any), decoded and redacted. */
  userData: RedactedTextSchema.optional(),
});

export const RelaunchSchema = z.object({
  regionsRead: z.array(z.string()).default([]),
  autoScalingGroups: z.array(AutoScalingGroupSchema).default([]),
  launchTemplates: z.array(LaunchTemplateSchema).default([]),
  spotRequests: z.array(SpotRequestSchema).default([]),
  fleets: z.array(FleetSchema).default([]),
});

export type AutoScalingGroup = z.infer<typeof AutoScalingGroupSchema>;
export type LaunchTemplate = z.infer<typeof LaunchTemplateSchema>;
export type SpotRequest = z.infer<typeof SpotRequestSchema>;
export type Fleet = z.infer<typeof FleetSchema>;
export type Relaunch = z.infer<typeof RelaunchSchema>;
