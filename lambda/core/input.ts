/**
 * Reading user input (config files, snapshots, Lambda payloads) with errors a person can act on.
 *
 * Bad input never ends in a stack trace: it becomes a UserInputError whose message names the file,
 * the field and what was expected, in one paragraph. The CLI prints it and exits with code 2.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";

export class UserInputError extends Error {
  override readonly name = "UserInputError";
}

/** Renders zod issues as `field.path: what was wrong` clauses, at most `max` of them. */
export function describeIssues(error: z.ZodError, max = 5): string {
  const parts = error.issues.slice(0, max).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join(".") : "(top level)";
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > max ? `; and ${error.issues.length - max} more` : "";
  return parts.join("; ") + more;
}

/** Validates `data` against `schema`, or throws a UserInputError naming `what` and the fields. */
export function validate<S extends z.ZodType>(schema: S, data: unknown, what: string, fix: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success) {
    throw new UserInputError(`${what} is not valid: ${describeIssues(result.error)}. ${fix}`);
  }
  return result.data;
}

/** Parses JSON, or YAML when the name ends in .yaml/.yml, with the file named in any error. */
export function parseDocument(text: string, fileName: string): unknown {
  const yaml = /\.ya?ml$/i.test(fileName);
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UserInputError(
      `${fileName} is not valid ${yaml ? "YAML" : "JSON"}: ${detail}. Fix the syntax (a JSON file must end in .json, YAML in .yaml or .yml).`,
    );
  }
}

/** Reads a file, turning "not found" and friends into a UserInputError. */
export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "it does not exist" : code === "EACCES" ? "permission denied" : String(code ?? error);
    throw new UserInputError(`Cannot read ${what} ${path}: ${why}. Check the path.`);
  }
}

/** Reads, parses and validates a JSON or YAML file. */
export async function loadDocument<S extends z.ZodType>(
  path: string,
  schema: S,
  what: string,
  fix: string,
): Promise<z.infer<S>> {
  const data = parseDocument(await readTextFile(path, what), path);
  return validate(schema, data, `${what} ${path}`, fix);
}
