/**
 * Just enough of the Dockerfile and .dockerignore grammars to check the image without a Docker engine:
 * instructions with line continuations and comments, grouped by stage, and Docker's pattern matching
 * (last matching rule wins; a rule matching a folder covers everything inside it).
 */
import { cpSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join, relative } from "node:path";

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
  line: number;
}

export interface Stage {
  /** The FROM instruction's image reference. */
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Parses a Dockerfile into stages (instructions before the first FROM, i.e. global ARGs, are dropped). */
export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (pending === undefined && (trimmed === "" || trimmed.startsWith("#"))) return;
    if (pending !== undefined && trimmed.startsWith("#")) return; // comments inside a continuation are dropped by Docker too
    const continued = trimmed.endsWith("\\");
    const body = continued ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending === undefined ? { text: body, line: index + 1 } : { text: `${pending.text} ${body}`.trim(), line: pending.line };
    if (continued) return;
    const match = /^(\S+)\s*(.*)$/s.exec(pending.text);
    if (match) instructions.push({ keyword: (match[1] ?? "").toUpperCase(), args: match[2] ?? "", line: pending.line });
    pending = undefined;
  });
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const [image = "", as, name] = instruction.args.replace(/--platform=\S+\s*/, "").split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** Flags (`--from=deps`, `--chown=root:root`) and operands of a COPY/ADD instruction. */
export function parseCopy(args: string): { flags: Record<string, string>; sources: string[]; destination: string } {
  const words = args.split(/\s+/).filter(Boolean);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith("--")) {
    const [key = "", value = ""] = (words.shift() ?? "").slice(2).split("=");
    flags[key] = value;
  }
  const destination = words.pop() ?? "";
  return { flags, sources: words, destination };
}

/** The exec-form JSON array of CMD/ENTRYPOINT/HEALTHCHECK CMD, or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  const json = args.slice(args.indexOf("["));
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === "string") ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? "";
    if (pattern.startsWith("**/", i)) {
      source += "(?:.*/)?";
      i += 2;
    } else if (pattern.startsWith("**", i)) {
      source += ".*";
      i += 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** A .dockerignore as a predicate: is this repo-relative path sent to the daemon? */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const negated = line.startsWith("!");
      const pattern = (negated ? line.slice(1) : line).replace(/^\/+/, "").replace(/\/+$/, "");
      return { negated, regexp: globToRegExp(pattern) };
    });
  return (path) => {
    const parts = path.split("/");
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
    let included = true;
    for (const rule of rules) if (candidates.some((candidate) => rule.regexp.test(candidate))) included = rule.negated;
    return included;
  };
}

/** Files git tracks plus untracked, non-ignored ones: what a `docker build .` from this work tree would see. */
export function workTreeFiles(root: string): string[] {
  const output = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: root, encoding: "utf8" });
  return output.split("\0").filter((file) => file !== "" && exists(join(root, file)));
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Lays out what the runtime stage would contain, without Docker: the build-context files its COPY
 * instructions name, and the production dependency tree (`npm ls --omit=dev`, i.e. what `npm ci --omit=dev`
 * installs) in place of `COPY --from=deps /app/node_modules`, and the build (`scripts/build.ts`, what the
 * build stage's `npm run build` runs) in place of `COPY --from=build /app/dist`. Running the server from
 * this folder proves the image needs no devDependency and no file the Dockerfile does not copy.
 */
export function layOutRuntimeImage(root: string, target: string): void {
  const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
  const runtime = parseDockerfile(dockerfile).at(-1);
  if (runtime === undefined) throw new Error("Dockerfile has no stage");
  const inContext = dockerignore(readFileSync(join(root, ".dockerignore"), "utf8"));
  const files = workTreeFiles(root).filter(inContext);
  for (const instruction of runtime.instructions.filter((i) => i.keyword === "COPY")) {
    const { flags, sources, destination } = parseCopy(instruction.args);
    if (flags.from !== undefined) {
      if (sources.length === 1 && sources[0] === "/app/dist") {
        execFileSync(join(root, "node_modules", ".bin", "tsx"), [join(root, "scripts", "build.ts"), join(target, "dist")], { cwd: root, stdio: "ignore" });
        continue;
      }
      if (!sources.every((source) => source === "/app/node_modules")) throw new Error(`unexpected COPY --from: ${instruction.args}`);
      copyProductionDependencies(root, join(target, "node_modules"));
      continue;
    }
    for (const source of sources) {
      const matching = files.filter((file) => file === source || file.startsWith(`${source.replace(/\/+$/, "")}/`));
      if (matching.length === 0) throw new Error(`COPY source ${source} is missing from the build context`);
      for (const file of matching) {
        const destinationPath = destination.endsWith("/") && sources.length > 1 ? join(target, destination, file) : join(target, destination, relative(source, file) || file);
        mkdirSync(dirname(destinationPath), { recursive: true });
        cpSync(join(root, file), destinationPath);
      }
    }
  }
}

function copyProductionDependencies(root: string, target: string): void {
  const output = execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const packages = output.split("\n").filter((line) => line.startsWith(join(root, "node_modules")));
  for (const packageDir of packages) {
    const destination = join(target, relative(join(root, "node_modules"), packageDir));
    // nested node_modules are listed (and copied) as packages of their own, but only the production ones
    cpSync(packageDir, destination, { recursive: true, filter: (source) => source === packageDir || !relative(packageDir, source).split("/").includes("node_modules") });
  }
}
