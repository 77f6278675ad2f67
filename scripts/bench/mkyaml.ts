// TEMP: writes scenario.yaml files with literal ids (removed before handoff)
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { instanceIdOf, SCENARIOS_ROOT, type AccountSpec, type WorkloadSpec } from "../scenarios/account-builder.js";

interface Def {
  mod: string; title: string; story: string; verdict: "mining" | "clean";
  expect?: { match: (w: WorkloadSpec) => boolean; min: string; rules?: string[]; same?: boolean; note: string; extraIds?: string[] }[];
  quietMax?: string; quiet?: (w: WorkloadSpec) => boolean; suppressed?: { match: (w: WorkloadSpec) => boolean; reason: string };
}
const company = (w: WorkloadSpec) => /-(web-\d+|db|worker)(-eu)?$/.test(w.name);
const D: Def[] = JSON.parse("[]");
const add = (d: Def) => D.push(d);
add({ mod: "leaked-key-every-region", verdict: "mining", title: "Leaked key: GPU fleets in all 16 unused regions at once",
  story: "A key leaked in a public repository starts 35 GPU instances (g4dn.12xlarge, g5.12xlarge, p3.8xlarge) in every region except the home one within nine minutes. The user data only fetches a second stage, so nothing is found at rest: region, type and launch pattern must carry it, as one incident. The shop's web servers, database and worker in us-east-1 stay quiet.",
  expect: [{ match: (w) => w.name.startsWith("gpu-"), min: "critical", rules: ["MW-EC2-UNUSED-REGION", "MW-EC2-UNUSUAL-TYPE", "MW-EC2-LAUNCH-WAVE"], same: true, note: "one incident for the whole fleet" }], quiet: company });
add({ mod: "one-region-c5-4xlarge", verdict: "mining", title: "Six c5.4xlarge at 100 % CPU in one unused region",
  story: "The quiet version of a leaked key: six c5.4xlarge in ap-south-1, a region the company (eu-central-1) never used, started within two minutes from a baked AMI with no miner string at rest, every core pinned since.",
  expect: [{ match: (w) => w.name.startsWith("miner-"), min: "critical", rules: ["MW-EC2-UNUSED-REGION", "MW-EC2-UNUSUAL-TYPE", "MW-CPU-SUSTAINED-HIGH"], same: true, note: "large compute, unused region, pinned CPU" }], quiet: company });
add({ mod: "spot-fleet-relaunch", verdict: "mining", title: "Spot fleet relaunching miners after a manual termination",
  story: "A leaked key creates a maintain-type spot fleet of six c5.18xlarge with XMRig in eu-west-1, unused by the company (us-west-2). The on-call engineer terminates them at 19:40; the fleet replaces all six within minutes. Both waves must be reported; the company's own instances stay quiet.",
  expect: [{ match: (w) => w.name.startsWith("fleet-"), min: "critical", rules: ["MW-EC2-USERDATA-MINER", "MW-EC2-UNUSED-REGION"], note: "terminated and relaunched instances alike" }], quiet: company });
add({ mod: "userdata-xmrig-t3", verdict: "mining", title: "XMRig in the user data of a single t3.xlarge",
  story: "A developer key found in a public npm package starts one t3.xlarge in the home region with XMRig built from source in its user data (next to the stolen key, which is redacted). One small instance of a familiar family in the usual region: only the user data and the CPU give it away.",
  expect: [{ match: (w) => w.name === "dev-box-xmrig", min: "critical", rules: ["MW-EC2-USERDATA-MINER"], note: "the pool URL and --donate-level in user data" }], quiet: company });
add({ mod: "tesla-capped-k8s-nodes", verdict: "mining", title: "Tesla pattern: capped miner pods under the usual load of EKS staging nodes",
  story: "Through an unauthenticated Kubernetes dashboard an attacker runs a miner Deployment with a CPU limit on four of the six staging nodes. No new instance, region or cost; the nodes keep their office-hours work on top, but nights idle for months now never drop below about 40 %. The two untouched nodes and the company's servers stay quiet.",
  expect: [{ match: (w) => /staging-node-[1-4]$/.test(w.name), min: "high", rules: ["MW-CPU-FLAT-SHIFT"], same: true, note: "one workload, raised floor against each node's own baseline" }],
  quiet: (w) => company(w) || /staging-node-[56]$/.test(w.name) });
add({ mod: "slow-ramp-two-weeks", verdict: "mining", title: "Slow ramp over two weeks, ending flat at about 60 %",
  story: "A miner on a forgotten staging API server has its thread cap raised every night for two weeks and now holds about 60 % day and night: under any fixed threshold, and inside a 14-day baseline whose mean has absorbed most of the rise. The ramp against the first baseline days, and the flat end, must give it away.",
  expect: [{ match: (w) => w.name === "staging-api", min: "high", rules: ["MW-CPU-FLAT-SHIFT"], note: "slow-ramp path of MW-CPU-FLAT-SHIFT" }], quiet: company });
add({ mod: "gpu-agent-full-load", verdict: "mining", title: "g5.12xlarge from the team's own template, GPUs at 100 % per the CloudWatch agent",
  story: "A stolen ML engineer's key launches three g5.12xlarge in the home region from the ML team's launch template, which installs the CloudWatch agent: their GPUs report 100 % around the clock. The team's g4dn inference servers, with the same agent and a daily rhythm, stay quiet.",
  expect: [{ match: (w) => w.name.startsWith("g5-stolen"), min: "critical", rules: ["MW-EC2-UNUSUAL-TYPE", "MW-GPU-HIGH-UTILIZATION"], note: "new GPU family, GPUs saturated" }], quiet: (w) => company(w) || w.name.startsWith("inference-") });
add({ mod: "gpu-no-agent", verdict: "mining", title: "p3.2xlarge with no CloudWatch agent: GPUs invisible, CPU idle",
  story: "Four p3.2xlarge appear in the home region at night, no agent, CPU at 4 %, no miner string, no wave, no new region. The GPU family alone must raise it to high, and the report must say their GPU load could not be seen.",
  expect: [{ match: (w) => w.name.startsWith("p3-night"), min: "high", rules: ["MW-EC2-UNUSUAL-TYPE", "MW-GPU-HIGH-UTILIZATION"], note: "GPU utilization not visible is part of the evidence" }], quiet: company });
add({ mod: "new-principal-home-region", verdict: "mining", title: "Miners in the home region, launched by a principal that never launched compute",
  story: "The backup user's long-term key, never used for EC2, launches four m5.2xlarge in us-east-1 from a VPS address; every core has been pinned since. The family and region are the company's own; who launched them is not. The Terraform role's routine launches and the company's servers stay quiet.",
  expect: [{ match: (w) => w.name.startsWith("harbor-batch"), min: "high", rules: ["MW-PRINCIPAL-FIRST-LAUNCH", "MW-CPU-SUSTAINED-HIGH"], note: "never-seen launcher plus pinned CPU" }], quiet: company });
add({ mod: "quota-probing-then-launch", verdict: "mining", title: "Quota probing and DryRun, then GPU launches in an unused region",
  story: "A CI user's leaked key makes denied calls, DryRun RunInstances for g4dn.12xlarge in four regions and a G-vCPU quota request; twenty hours later it launches three g4dn.12xlarge in us-east-1, a region the company (eu-west-1) never used.",
  expect: [{ match: (w) => w.name.startsWith("probed-"), min: "critical", rules: ["MW-PRINCIPAL-PROBING", "MW-EC2-UNUSUAL-TYPE"], note: "probing followed by launches" }], quiet: company });
add({ mod: "expired-allowlist-gpu", verdict: "mining", title: "Expired allowlist entry no longer hides GPU miners",
  story: "A render contractor's g4dn work was allowlisted by family until 31 October. In November the contractor's never-revoked key starts six g4dn.12xlarge with a KawPow miner. The expired entry must not suppress them, and the report lists it as expired.",
  expect: [{ match: (w) => w.name.startsWith("render-old-key"), min: "critical", rules: ["MW-EC2-USERDATA-MINER"], note: "not suppressed: the entry expired" }], quiet: company });
add({ mod: "cost-anomaly-hidden-region", verdict: "mining", title: "Cost anomaly only: inventory of the mining region hidden by AccessDenied",
  story: "The audit role may not call DescribeInstances in ap-northeast-1 (an aws:RequestedRegion condition), where a leaked key runs eight c5.9xlarge. No instance can be seen: the coverage gap with spend behind it, new spend in the region and Cost Explorer's anomaly must say it.",
  expect: [{ match: () => false, extraIds: ["ap-northeast-1"], min: "high", rules: ["MW-COST-NEW-SPEND", "MW-COST-ANOMALY-COMPUTE"], note: "the region-spend resource" }, { match: () => false, extraIds: ["ec2:DescribeInstances"], min: "high", rules: ["MW-COVERAGE-GAP"], note: "inventory not read while the region spends" }], quiet: company });
add({ mod: "lambda-miner", verdict: "mining", title: "Lambda miner: a function repointed at maximum memory and timeout",
  story: "Denonia-style: a developer's key repoints an image-resizing function at a custom-runtime miner with 10,240 MB and 900 s, invoked every minute. No instance anywhere; the function's configuration and the Lambda bill show it. The untouched thumbnail function and the servers stay quiet.",
  expect: [{ match: () => false, extraIds: ["arn:aws:lambda:ap-northeast-1:520639487152:function:image-resize-worker"], min: "high", rules: ["MW-LAMBDA-MAX-RESOURCES"], note: "custom runtime at the limits" }], quiet: company });
// benign
add({ mod: "ml-training-p4d", verdict: "clean", title: "ML training on p4d in the home region by the pipeline role (allowlisted)",
  story: "The ML platform team trains twice a week on four p4d.24xlarge launched by the training pipeline's instance profile, GPUs near 100 %. The allowlist entry for that profile suppresses it with its reason; nothing else pages.",
  quiet: (w) => true, suppressed: { match: (w) => w.name.startsWith("train-p4d"), reason: "ML platform team" } });
add({ mod: "new-region-rollout", verdict: "clean", title: "A new region rolled out by the usual deploy role, same profiles and tags",
  story: "Terraform creates the company's us-east-1 stack in eu-central-1: same instance profiles, tags and families, five launches within ten minutes, new spend in a region never used. A new region is worth a low line, not a page.", quiet: () => true });
add({ mod: "ci-runner-burst", verdict: "clean", title: "CI runners bursting to 50 short-lived instances",
  story: "On release day the GitLab runner autoscaler starts fifty c5.2xlarge within four minutes; each runs 20-45 minutes at high CPU and is terminated. The account pays for c5 runners every working day.", quiet: () => true });
add({ mod: "batch-and-parallelcluster", verdict: "clean", title: "AWS Batch and ParallelCluster jobs at 100 % CPU",
  story: "Nightly variant calling on an AWS Batch compute environment (eight c6a.16xlarge) and a CFD queue on ParallelCluster (four hpc6a.48xlarge) hold 100 % CPU for hours, on families the account has paid for all quarter.", quiet: () => true });
add({ mod: "render-farm-g5-night", verdict: "clean", title: "Render farm on g5 at night",
  story: "Deadline starts ten g5.2xlarge spot render nodes at 20:00 local; the agent reports GPUs at 95 % until dawn, as on every working night this quarter.", quiet: () => true });
add({ mod: "load-test", verdict: "clean", title: "A three-hour load test from twelve c5.4xlarge",
  story: "The performance team's k6 generators start within three minutes, run at 85-95 % CPU for three hours and are terminated; the API's Auto Scaling group grows under them.", quiet: () => true });
add({ mod: "database-steady-cpu", verdict: "clean", title: "A database at a steady 40 % CPU for months",
  story: "A PostgreSQL primary at about 40 % day and night for months, its replica at 35 % and an analytics box at 55 %: flat, but always were.", quiet: () => true });
add({ mod: "blockchain-node-allowlisted", verdict: "clean", title: "An Ethereum node the team runs on purpose, allowlisted with a reason",
  story: "The payments team's Ethereum full node on a new c6i.8xlarge has synced at 90 %+ CPU for four days. Large compute of a new family with pinned CPU looks like mining; the allowlist entry on its Service tag says why it is not.",
  quiet: () => true, suppressed: { match: (w) => w.name === "eth-node", reason: "Ethereum full node" } });
add({ mod: "month-end-batch", verdict: "clean", title: "Month-end batch with a Cost Explorer anomaly",
  story: "The finance close scales to eight m5.4xlarge on the last day of the month and Cost Anomaly Detection flags the spike, as every month: the account's own cost history shows the same peak before.", quiet: () => true });
add({ mod: "half-regions-not-opted-in", verdict: "clean", title: "An account with half its regions not opted in",
  story: "A company in me-central-1 (opted in) with the other fourteen opt-in regions disabled: they are listed as not audited because nothing can run there, never as a gap or a finding.", quiet: () => true });

const yamlList = (ids: string[], indent: string) => ids.map((id) => `${indent}- ${id}`).join("\n");
for (const d of D) {
  const mod = (await import(`../scenarios/${d.mod}.js`)) as { spec: AccountSpec };
  const ws = mod.spec.workloads.filter((w) => !w.hidden);
  const label = (w: WorkloadSpec) => `${instanceIdOf(w.name)} # ${w.name} (${w.instanceType}, ${w.region})`;
  let out = `title: "${d.title}"\nstory: >-\n  ${d.story}\nverdict: ${d.verdict}\n`;
  if (d.expect) {
    out += "\nexpect:\n";
    for (const e of d.expect) {
      const ids = [...ws.filter(e.match).map(label), ...(e.extraIds ?? [])];
      out += `  # ${e.note}\n  - resources:\n${yamlList(ids, "      ")}\n    minSeverity: ${e.min}\n`;
      if (e.rules) out += `    rules: [${e.rules.join(", ")}]\n`;
      if (e.same) out += "    sameFinding: true\n";
    }
  }
  const quietWs = d.quiet ? ws.filter((w) => d.quiet?.(w) && !(d.expect ?? []).some((e) => e.match(w))) : [];
  if (quietWs.length) out += `\nquiet:\n  - resources:\n${yamlList(quietWs.map(label), "      ")}\n    maxSeverity: low\n`;
  if (d.suppressed) out += `\nsuppressed:\n  - resources:\n${yamlList(ws.filter(d.suppressed.match).map(label), "      ")}\n    reason: ${d.suppressed.reason}\n`;
  writeFileSync(join(SCENARIOS_ROOT, d.mod, "scenario.yaml"), out);
}
console.log(`wrote ${D.length}`);
