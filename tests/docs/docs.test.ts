/**
 * Documentation that must not drift from the code: generated files are up to date, and the
 * hand-written snapshot and config pages cover every field and carry examples that really parse.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigSchema, ThresholdsSchema } from "../../lambda/core/config.js";
import { AccountSnapshotSchema } from "../../lambda/core/snapshot.js";
import { RULES } from "../../lambda/rules/registry.js";
import type { Rule } from "../../lambda/rules/types.js";
import { generatedFiles, README_END, README_START, ROOT, updateReadme } from "../../scripts/gen-docs.js";

function read(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}

/** Every property name anywhere in a JSON Schema (nested objects, arrays, unions, records). */
function propertyNames(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) propertyNames(item, into);
  } else if (schema && typeof schema === "object") {
    for (const [key, value] of Object.entries(schema)) {
      if (key === "properties" && value && typeof value === "object") {
        for (const name of Object.keys(value)) into.add(name);
      }
      propertyNames(value, into);
    }
  }
  return into;
}

/** The contents of the fenced code blocks of a Markdown text with the given language. */
function codeBlocks(markdown: string, language: string): string[] {
  const blocks: string[] = [];
  const fence = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, "g");
  for (const match of markdown.matchAll(fence)) if (match[1] !== undefined) blocks.push(match[1]);
  return blocks;
}

/** True when the page names `field` in code, alone or at the end of a path such as `events[].field`. */
function mentions(page: string, field: string): boolean {
  return new RegExp(`\`(?:[\\w\\[\\]]+\\.)*${field}(?:\\[\\])?\``).test(page);
}

/** A Markdown table row starting `| \`name\` | value |`, however the formatter padded it. */
function tableRow(name: string, value: unknown): RegExp {
  const escaped = String(value).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^\\|\\s*\`${name}\`\\s*\\|\\s*\`?${escaped}\`?\\s*\\|`, "m");
}

describe("generated documentation", () => {
  it.each(generatedFiles().map((file) => [file.path, file] as const))("%s is up to date", (path, file) => {
    const committed = existsSync(join(ROOT, path)) ? read(path) : "(missing)";
    expect(committed === file.content, `${path} is stale or missing: run npm run docs`).toBe(true);
  });

  it("the README rule table is up to date when the README has the markers", () => {
    const readmePath = join(ROOT, "README.md");
    const readme = existsSync(readmePath) ? read("README.md") : "";
    const updated = updateReadme(readme);
    if (updated === undefined) {
      // No markers yet: the generator leaves the README alone, and says so.
      expect(readme.includes(README_START) && readme.includes(README_END)).toBe(false);
    } else {
      expect(updated === readme, "README.md rule table is stale: run npm run docs").toBe(true);
    }
  });

  it("lists every registered rule in docs/rules.md, with its severity", () => {
    const rulesDoc = generatedFiles().find((f) => f.path === "docs/rules.md")?.content ?? "";
    for (const rule of RULES) expect(rulesDoc).toMatch(tableRow(rule.id, rule.severity));
  });

  it("replaces only the marked block of a README and leaves one without markers alone", () => {
    const rules: Rule[] = [
      {
        id: "MW-TEST-ONE",
        title: "A | piped title",
        severity: "high",
        category: "inventory",
        rationale: "because",
        recommendation: "act",
        evaluate: () => [],
      },
    ];
    const before = `# Title\n\nintro\n\n${README_START}\nold table\n${README_END}\n\nafter\n`;
    const after = updateReadme(before, rules);
    expect(after).toBe(
      [
        "# Title\n\nintro\n",
        README_START,
        "| Rule          | Severity | What it detects  |",
        "| ------------- | -------- | ---------------- |",
        "| `MW-TEST-ONE` | high     | A \\| piped title |",
        README_END,
        "\nafter\n",
      ].join("\n"),
    );
    expect(updateReadme("# No markers here\n", rules)).toBeUndefined();
  });

  it("generates input schemas where defaulted fields are optional", () => {
    const snapshotSchema = JSON.parse(read("docs/snapshot.schema.json")) as { required: string[] };
    expect(snapshotSchema.required.sort()).toEqual(["accountId", "collectedAt", "regions", "schemaVersion", "window"]);
    const configSchema = JSON.parse(read("docs/config.schema.json")) as { required?: string[] };
    expect(configSchema.required ?? []).toEqual([]);
  });
});

describe("docs/snapshot.md", () => {
  const page = read("docs/snapshot.md");

  it("describes every snapshot field", () => {
    const names = propertyNames(z.toJSONSchema(AccountSnapshotSchema, { io: "input" }));
    const missing = [...names].filter((name) => !mentions(page, name));
    expect(missing).toEqual([]);
  });

  it("has a minimal example that is a valid snapshot", () => {
    const examples = codeBlocks(page, "json").map((text) => JSON.parse(text) as unknown);
    const full = examples.filter((e) => typeof e === "object" && e !== null && "schemaVersion" in e);
    expect(full).toHaveLength(1);
    const parsed = AccountSnapshotSchema.parse(full[0]);
    expect(parsed.instances.map((i) => i.instanceType)).toEqual(["t3.medium", "p3.16xlarge"]);
    expect(parsed.coverage.some((c) => c.status !== "ok")).toBe(true);
  });
});

describe("docs/config.md", () => {
  const page = read("docs/config.md");

  it("describes every config field", () => {
    const names = propertyNames(z.toJSONSchema(ConfigSchema, { io: "input" }));
    const missing = [...names].filter((name) => !mentions(page, name));
    expect(missing).toEqual([]);
  });

  it.each(Object.entries(ThresholdsSchema.parse({})))("states the default of thresholds.%s (%s)", (name, value) => {
    expect(page).toMatch(tableRow(name, value));
  });

  it("states the top-level defaults the schema applies", () => {
    const defaults = ConfigSchema.parse({});
    expect(page).toMatch(tableRow("lookbackHours", defaults.lookbackHours));
    expect(page).toMatch(tableRow("gpuMetricNamespace", defaults.gpuMetricNamespace));
  });

  it("has an example YAML that is a valid config with an allowlist entry", () => {
    const [yaml] = codeBlocks(page, "yaml");
    const config = ConfigSchema.parse(parseYaml(yaml ?? ""));
    expect(config.allowlist.length).toBeGreaterThan(0);
    expect(config.allowlist.every((e) => e.reason.length > 3)).toBe(true);
    const ruleIds = new Set(RULES.map((r) => r.id));
    for (const entry of config.allowlist) for (const id of entry.rules ?? []) expect(ruleIds).toContain(id);
  });
});
