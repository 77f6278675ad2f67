/**
 * scenarios/blockchain-node-allowlisted: a payments company runs its own Ethereum full node for
 * on-chain settlement. Started four days ago on a c6i.8xlarge, it has spent every hour since
 * syncing the chain at 90 % CPU and more. Large compute of a new family, CPU pinned, crypto
 * software in the user data: it looks like mining and is not; the allowlist entry says why.
 * Run: npx tsx scripts/scenarios/blockchain-node-allowlisted.ts [--ids]
 */
import { type AccountSpec, buildAccount, isMain, ordinaryCompany, writeScenario } from "./account-builder.js";

const HOME = "eu-north-1";
const USER_DATA = [
  "#!/bin/bash",
  "set -euo pipefail",
  "# Ethereum execution + consensus clients for the settlement service (team payments, PAY-212)",
  "mkfs.xfs /dev/nvme1n1 && mount /dev/nvme1n1 /data",
  "docker run -d --name geth -v /data/geth:/data -p 30303:30303 ethereum/client-go:v1.14.11 --syncmode snap --datadir /data --authrpc.jwtsecret /data/jwt.hex",
  "docker run -d --name lighthouse -v /data/lh:/data sigp/lighthouse:v6.0.1 lighthouse bn --network mainnet --execution-endpoint http://localhost:8551 --checkpoint-sync-url https://mainnet.checkpoint.sigp.io",
  "",
].join("\n");

export const spec: AccountSpec = {
  scenario: "blockchain-node-allowlisted",
  description: "An Ethereum full node syncing at 90 %+ CPU on a new c6i.8xlarge, allowlisted by its Service tag",
  accountId: "508417362940",
  windowEnd: "2026-11-25T10:00:00.000Z",
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({ region: HOME, prefix: "settle", utcOffsetHours: 1, since: "2026-05-04T08:00:00Z" }),
    {
      name: "eth-node",
      region: HOME,
      instanceType: "c6i.8xlarge",
      launchTime: "2026-11-21T09:12:33.000Z",
      instanceProfile: "eth-node",
      keyName: "payments-ops",
      tags: { Name: "eth-node-mainnet", Service: "eth-node", Team: "payments" },
      userData: USER_DATA,
      cpu: (_ms, rng) => Math.min(100, 94 + rng.normal(0, 2.5)),
      networkOut: (_ms, rng) => rng.uniform(4e9, 9e9),
      packetBytes: 1200,
    },
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
