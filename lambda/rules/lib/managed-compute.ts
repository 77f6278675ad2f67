/** Small shared facts for the managed compute rules (SageMaker, CodeBuild, Amplify). */
import type { AccountSnapshot } from "../../core/snapshot.js";
import { isAccelerated, isLargeCompute } from "./instances.js";

/** True when `iso` falls within the snapshot's audit window. */
export function createdInWindow(iso: string | undefined, snapshot: AccountSnapshot): boolean {
  if (!iso) return false;
  const at = Date.parse(iso);
  return at >= Date.parse(snapshot.window.start) && at <= Date.parse(snapshot.window.end);
}

/**
 * "gpu" or "large" for a SageMaker instance type (ml.p3.8xlarge, ml.c5.9xlarge) judged by the EC2
 * family it runs on; undefined for ordinary sizes.
 */
export function notebookComputeClass(instanceType: string, largeComputeVcpus: number): "gpu" | "large" | undefined {
  const ec2Type = instanceType.replace(/^ml\./, "");
  if (isAccelerated(undefined, ec2Type)) return "gpu";
  if (isLargeCompute(undefined, ec2Type, largeComputeVcpus)) return "large";
  return undefined;
}
