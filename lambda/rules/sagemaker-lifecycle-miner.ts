/**
 * MW-SAGEMAKER-LIFECYCLE-MINER: miner indicators in a SageMaker notebook lifecycle script. The
 * AMBERSQUID campaign started notebooks whose lifecycle configuration downloaded and ran a miner on
 * every start: no EC2 instance, nothing in the EC2 console.
 *
 * Also a low note for GPU or large notebooks created in the window whose script shows nothing: on
 * their own they are ordinary data science; with other signals they add up.
 */
import type { NotebookInstance, NotebookLifecycleConfig } from "../core/sections/managed-compute.js";
import { createdInWindow, notebookComputeClass } from "./lib/managed-compute.js";
import { evidenceText, type ScriptVerdict, scriptVerdict, strongerVerdict } from "./lib/script-indicators.js";
import type { Rule, Signal } from "./types.js";

const RESOURCE_TYPE = "sagemaker-notebook";

function verdictOf(config: NotebookLifecycleConfig): { verdict: ScriptVerdict; hook: string } | undefined {
  const onCreate = scriptVerdict(config.onCreate);
  const onStart = scriptVerdict(config.onStart);
  const verdict = strongerVerdict(onStart, onCreate);
  if (!verdict) return undefined;
  return { verdict, hook: verdict === onStart ? "OnStart" : "OnCreate" };
}

function minerSignal(
  notebook: NotebookInstance,
  config: NotebookLifecycleConfig,
  found: ReturnType<typeof verdictOf> & {},
): Signal {
  const { verdict, hook } = found;
  return {
    ruleId: sagemakerLifecycleMiner.id,
    resource: { type: RESOURCE_TYPE, id: notebook.arn, region: notebook.region },
    severity: verdict.strength === "strong" ? "critical" : "medium",
    message:
      `SageMaker notebook ${notebook.name} (${notebook.instanceType}, ${notebook.region}, ${notebook.status}) runs lifecycle configuration ` +
      `${config.name} whose ${hook} script has ${verdict.strength} miner indicators (${verdict.kinds.join(", ")}): ${evidenceText(verdict)}.${verdict.truncationNote}`,
    details: {
      notebookName: notebook.name,
      instanceType: notebook.instanceType,
      status: notebook.status,
      createdAt: notebook.creationTime,
      lifecycleConfig: config.name,
      hook,
      strength: verdict.strength,
      indicatorKinds: verdict.kinds,
      indicators: verdict.indicators,
      lineNumbers: verdict.lineNumbers,
      scriptSha256: verdict.sha256,
      ...(notebook.roleArn ? { roleArn: notebook.roleArn } : {}),
    },
  };
}

export const sagemakerLifecycleMiner: Rule = {
  id: "MW-SAGEMAKER-LIFECYCLE-MINER",
  title: "Miner indicators in a SageMaker notebook lifecycle script",
  severity: "critical",
  category: "indicator",
  rationale:
    "Lifecycle configurations run a shell script as root when a notebook is created or started. The AMBERSQUID campaign used them to " +
    "download and start a miner on SageMaker notebooks, which never show up as EC2 instances. A pool URL or miner command line in one is near-certain evidence.",
  recommendation:
    "Stop the notebook instance (aws sagemaker stop-notebook-instance), detach and delete the lifecycle configuration, then delete the notebook once evidence is kept. " +
    "Find who called CreateNotebookInstance and CreateNotebookInstanceLifecycleConfig in CloudTrail, deactivate that access key, and check every region for the same configuration name.",
  evaluate(snapshot, { config }) {
    const managed = snapshot.managedCompute;
    if (!managed) return [];
    const configs = new Map(managed.notebookLifecycleConfigs.map((c) => [`${c.region}/${c.name}`, c]));
    const signals: Signal[] = [];
    for (const notebook of managed.notebookInstances) {
      const lifecycle = notebook.lifecycleConfigName
        ? configs.get(`${notebook.region}/${notebook.lifecycleConfigName}`)
        : undefined;
      const found = lifecycle ? verdictOf(lifecycle) : undefined;
      if (lifecycle && found) {
        signals.push(minerSignal(notebook, lifecycle, found));
        continue;
      }
      const computeClass = notebookComputeClass(notebook.instanceType, config.thresholds.largeComputeVcpus);
      if (!computeClass || !createdInWindow(notebook.creationTime, snapshot)) continue;
      const scriptNote = !notebook.lifecycleConfigName
        ? "It has no lifecycle configuration."
        : lifecycle
          ? `Its lifecycle configuration ${notebook.lifecycleConfigName} shows no miner indicator.`
          : `Its lifecycle configuration ${notebook.lifecycleConfigName} was not read (see coverage).`;
      signals.push({
        ruleId: sagemakerLifecycleMiner.id,
        resource: { type: RESOURCE_TYPE, id: notebook.arn, region: notebook.region },
        severity: "low",
        message: `SageMaker notebook ${notebook.name} on a ${computeClass === "gpu" ? "GPU" : "large compute"} instance (${notebook.instanceType}) was created in the window in ${notebook.region}. ${scriptNote}`,
        details: {
          notebookName: notebook.name,
          instanceType: notebook.instanceType,
          computeClass,
          status: notebook.status,
          createdAt: notebook.creationTime,
          lifecycleConfigRead: lifecycle !== undefined,
        },
      });
    }
    return signals;
  },
};
