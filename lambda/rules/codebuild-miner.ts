/**
 * MW-CODEBUILD-MINER: miner indicators in a CodeBuild project's inline buildspec, and new projects
 * on the largest build hosts running build after build. AMBERSQUID ran CodeBuild projects whose
 * buildspec started a miner, on BUILD_GENERAL1_2XLARGE hosts, over and over.
 */
import type { CodeBuildBuild, CodeBuildProject } from "../core/sections/managed-compute.js";
import { createdInWindow } from "./lib/managed-compute.js";
import { evidenceText, scriptVerdict } from "./lib/script-indicators.js";
import type { Rule, Signal } from "./types.js";

const RESOURCE_TYPE = "codebuild-project";
/** The biggest CodeBuild hosts (72 vCPUs) and the GPU ones: what a miner rents. */
export const LARGEST_COMPUTE_TYPES: readonly string[] = ["BUILD_GENERAL1_2XLARGE"];
/** Builds in the window from which a new project on the largest hosts is "running many builds". */
export const MANY_BUILDS = 5;

function isLargestHost(project: CodeBuildProject): boolean {
  return (
    LARGEST_COMPUTE_TYPES.includes(project.computeType ?? "") ||
    /GPU/i.test(project.environmentType ?? "") ||
    /GPU/i.test(project.computeType ?? "")
  );
}

function buildsOf(project: CodeBuildProject, builds: readonly CodeBuildBuild[]): CodeBuildBuild[] {
  return builds.filter((b) => b.projectName === project.name && b.region === project.region);
}

export const codebuildMiner: Rule = {
  id: "MW-CODEBUILD-MINER",
  title: "Miner in a CodeBuild project",
  severity: "critical",
  category: "indicator",
  rationale:
    "A CodeBuild build is a container on AWS hardware that runs whatever the buildspec says for up to 36 hours. AMBERSQUID used buildspecs that " +
    "downloaded and ran a miner, on the largest hosts, build after build; a pool URL or miner command in a buildspec is near-certain evidence.",
  recommendation:
    "Stop the running builds (aws codebuild stop-build), then delete the project once evidence is kept. Find who called CreateProject and StartBuild in CloudTrail, " +
    "deactivate that access key, and look for projects with the same buildspec in every region.",
  evaluate(snapshot) {
    const managed = snapshot.managedCompute;
    if (!managed) return [];
    const signals: Signal[] = [];
    for (const project of managed.codeBuildProjects) {
      const builds = buildsOf(project, managed.codeBuildBuilds);
      const common = {
        projectName: project.name,
        ...(project.computeType ? { computeType: project.computeType } : {}),
        ...(project.image ? { image: project.image } : {}),
        ...(project.created ? { createdAt: project.created } : {}),
        ...(project.serviceRole ? { serviceRole: project.serviceRole } : {}),
        buildsInWindow: builds.length,
        buildIds: builds.map((b) => b.id).slice(0, 20),
      };
      const verdict = scriptVerdict(project.buildspec);
      if (verdict) {
        signals.push({
          ruleId: codebuildMiner.id,
          resource: { type: RESOURCE_TYPE, id: project.arn, region: project.region },
          severity: verdict.strength === "strong" ? "critical" : "medium",
          message:
            `Buildspec of CodeBuild project ${project.name} (${project.computeType ?? "compute type unknown"}, ${project.region}) has ${verdict.strength} miner indicators ` +
            `(${verdict.kinds.join(", ")}): ${evidenceText(verdict)}; ${builds.length} build${builds.length === 1 ? "" : "s"} started in the window.${verdict.truncationNote}`,
          details: {
            ...common,
            strength: verdict.strength,
            indicatorKinds: verdict.kinds,
            indicators: verdict.indicators,
            lineNumbers: verdict.lineNumbers,
            buildspecSha256: verdict.sha256,
          },
        });
        continue;
      }
      if (!isLargestHost(project) || !createdInWindow(project.created, snapshot) || builds.length < MANY_BUILDS)
        continue;
      const where = project.buildspec
        ? "its inline buildspec shows no miner indicator"
        : "its buildspec lives in the source and was not read";
      signals.push({
        ruleId: codebuildMiner.id,
        resource: { type: RESOURCE_TYPE, id: project.arn, region: project.region },
        severity: "medium",
        message:
          `CodeBuild project ${project.name} was created in the window in ${project.region} on the largest build hosts (${project.computeType ?? project.environmentType}) ` +
          `and started ${builds.length} builds since; ${where}.`,
        details: { ...common, manyBuildsThreshold: MANY_BUILDS },
      });
    }
    return signals;
  },
};
