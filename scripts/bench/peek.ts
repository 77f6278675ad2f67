// TEMP dev helper (removed before handoff)
import { existsSync } from "node:fs";
import { join } from "node:path";
import { auditSnapshot } from "../../lambda/core/audit.js";
import { ConfigSchema } from "../../lambda/core/config.js";
import { loadDocument } from "../../lambda/core/input.js";
import { AccountSnapshotSchema } from "../../lambda/core/snapshot.js";

const dir = join("scenarios", process.argv[2] ?? "");
const snapshot = await loadDocument(join(dir, "snapshot.json"), AccountSnapshotSchema, "s", "");
const config = existsSync(join(dir, "config.yaml"))
  ? await loadDocument(join(dir, "config.yaml"), ConfigSchema, "c", "")
  : ConfigSchema.parse({});
const r = auditSnapshot(snapshot, config, { generatedAt: new Date() });
for (const f of r.findings) {
  console.log(`${f.severity} ${f.title} [${f.rules.join(",")}] n=${f.resources.length}`);
  if (process.argv.includes("-v"))
    for (const e of f.evidence) console.log(`   ${e.ruleId} ${e.severity} ${e.resource} ${e.message.slice(0, 200)}`);
  else
    console.log(
      "   " +
        f.resources
          .map((x) => x.id)
          .slice(0, 40)
          .join(" "),
    );
}
for (const s of r.suppressed)
  console.log(`SUPPRESSED ${s.severity} ${s.title} (${s.reason}) ${s.resources.map((x) => x.id).join(" ")}`);
if (r.ruleErrors.length) console.log(r.ruleErrors);
