/**
 * Builds a REAL environments repository history fast with `git fast-import`: hundreds or thousands
 * of promotions (squash or merge style, with trailers and evidence notes), rollbacks, hand-made
 * changes, direct pushes and reverts. The builder keeps its own list of what it generated
 * (`expected`), so tests can check the audit against facts that do not come from the audit code.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";

export type BuiltKind = "promotion" | "rollback" | "revert" | "hand-made" | "direct-push";

export interface PromoteOptions {
  env: string;
  service: string;
  digest: string;
  /** Time the change lands on main. */
  at: Date;
  kind?: "promotion" | "rollback";
  /** merge: a promotion commit on a branch + a Stagegate merge commit; squash: one commit with all trailers. */
  style?: "merge" | "squash";
  pr?: number;
  approvers?: string[];
  gates?: Record<string, string>;
  overrides?: { gate: string; by: string; reason: string }[];
  mergedBy?: string;
  sourceSha?: string;
  sourceCommittedAt?: Date;
  sourceAuthor?: string;
  prAuthor?: string;
  requestedBy?: string;
  /** Deployment result recorded in the note (appended as a second part, as Stagegate does). */
  deployment?: { state: string; at: Date };
  /** A release tag written beside the digest (`newTag:`), as editors that keep the tag do. */
  tag?: string;
  /** false: no note; a string: this raw note text (e.g. invalid JSON). */
  note?: boolean | string;
}

/** What the builder generated, one entry per landed change. */
export interface BuiltChange {
  kind: BuiltKind;
  env: string;
  service: string;
  digest: string;
  previous?: string;
  at: Date;
  /** Author date of the commit that carries the change (lead-time fallback). */
  authoredAt: Date;
  pr?: number;
  approvers: string[];
  overrides: { gate: string; by: string; reason: string }[];
  hasNote: boolean;
  sourceCommittedAt?: Date;
  deployment?: { state: string; at: Date };
  /** fast-import mark of the first-parent commit; resolved to a sha by `marks` after write(). */
  mark: number;
  sodViolation: boolean;
  invalidNote: boolean;
}

interface CommitSpec {
  ref: string;
  message: string;
  author: { name: string; email: string; at: Date };
  committer: { name: string; email: string; at: Date };
  from?: number;
  merge?: number;
  files: Map<string, string>;
}

const ident = (name: string) => ({ name, email: `${name.toLowerCase().replace(/[^a-z0-9]+/g, ".")}@example.com` });

/** A digest made of one repeated hex word, so tests can name digests readably. */
export function digestOf(n: number): string {
  return `sha256:${n.toString(16).padStart(8, "0").repeat(8)}`;
}

export class HistoryBuilder {
  readonly expected: BuiltChange[] = [];
  /** fast-import mark → commit sha, after write(). */
  readonly marks = new Map<number, string>();
  private readonly chunks: string[] = [];
  private readonly notes: { mark: number; text: string }[] = [];
  private readonly state = new Map<string, Map<string, string>>();
  /** env → service → the `newTag` written beside its digest, once a promotion set one. */
  private readonly tags = new Map<string, Map<string, string>>();
  private nextMark = 1;
  private tip: number | undefined;

  constructor(
    private readonly environments: { name: string; from?: string[] }[],
    private readonly services: { name: string; image: string }[],
  ) {}

  /** The initial commit: stagegate.yaml and one kustomization per environment with these digests. */
  init(at: Date, digests: Record<string, Record<string, string>>): this {
    for (const env of this.environments) this.state.set(env.name, new Map(Object.entries(digests[env.name] ?? {})));
    const files = new Map<string, string>([["stagegate.yaml", this.configYaml()]]);
    for (const env of this.environments) files.set(this.fileOf(env.name), this.kustomization(env.name));
    this.tip = this.commit({ ref: "refs/heads/main", message: "Initial environments\n", author: { ...ident("Admin"), at }, committer: { ...ident("Admin"), at }, files });
    return this;
  }

  /** A change made by Stagegate (promotion or rollback), merge or squash style. */
  promote(o: PromoteOptions): this {
    const kind = o.kind ?? "promotion";
    const previous = this.set(o.env, o.service, o.digest);
    if (o.tag !== undefined) this.tags.set(o.env, (this.tags.get(o.env) ?? new Map<string, string>()).set(o.service, o.tag));
    const image = this.imageOf(o.service);
    const pr = o.pr ?? this.nextMark + 1000;
    const sourceSha = o.sourceSha ?? (this.nextMark * 7919).toString(16).padStart(40, "0").slice(-40);
    const promotionTrailers = [
      `Stagegate-Service: ${o.service}`,
      `Stagegate-Environment: ${o.env}`,
      `Stagegate-Image: ${image}@${o.digest}`,
      ...(o.tag ? [`Stagegate-Tag: ${o.tag}`] : []),
      ...(previous ? [`Stagegate-Previous: ${previous}`] : []),
      `Stagegate-Source: acme/${o.service}@${sourceSha}`,
      `Stagegate-Kind: ${kind}`,
    ];
    const mergeTrailers = [
      ...(o.approvers ?? []).map((a) => `Stagegate-Approved-By: ${a}`),
      ...(o.gates ? [`Stagegate-Gates: ${Object.entries(o.gates).map(([g, r]) => `${g}=${r}`).join(", ")}`] : []),
      ...(o.overrides ?? []).map((x) => `Stagegate-Override: ${x.gate} by ${x.by}: ${x.reason}`),
      `Stagegate-PR: #${pr}`,
      ...(o.mergedBy ? [`Stagegate-Merged-By: ${o.mergedBy}`] : []),
    ];
    const bot = { ...ident("stagegate[bot]"), at: new Date(o.at.getTime() - 60_000) };
    const files = new Map([[this.fileOf(o.env), this.kustomization(o.env)]]);
    const subject = `${kind === "rollback" ? "Roll back" : "Promote"} ${o.service} to ${o.env}`;
    let landed: number;
    if ((o.style ?? "merge") === "squash") {
      landed = this.commit({ ref: "refs/heads/main", message: `${subject} (#${pr})\n\n${[...promotionTrailers, ...mergeTrailers].join("\n")}\n`, author: bot, committer: { ...ident(o.mergedBy ?? "GitHub"), at: o.at }, from: this.tip, files });
    } else {
      const branchCommit = this.commit({ ref: "refs/heads/stagegate-branch", message: `${subject}\n\n${promotionTrailers.join("\n")}\n`, author: bot, committer: bot, from: this.tip, files });
      landed = this.commit({
        ref: "refs/heads/main",
        message: `Merge pull request #${pr} from acme/stagegate/${o.env}/${o.service}\n\n${mergeTrailers.join("\n")}\n`,
        author: { ...ident(o.mergedBy ?? "stagegate[bot]"), at: o.at },
        committer: { ...ident("GitHub"), at: o.at },
        from: this.tip,
        merge: branchCommit,
        files,
      });
    }
    this.tip = landed;
    const hasNote = o.note !== false;
    if (typeof o.note === "string") this.notes.push({ mark: landed, text: o.note });
    else if (hasNote) this.notes.push({ mark: landed, text: this.noteText(o, kind, image, previous, pr, sourceSha) });
    const sod = (o.approvers ?? []).some((a) => [o.sourceAuthor, o.prAuthor, o.requestedBy].some((p) => p && p.toLowerCase() === a.toLowerCase()));
    this.expected.push({
      kind, env: o.env, service: o.service, digest: o.digest, previous, at: o.at, authoredAt: bot.at, pr, approvers: o.approvers ?? [], overrides: o.overrides ?? [],
      hasNote, mark: landed,
      // What the evidence note says: nothing when there is no readable note.
      sourceCommittedAt: hasNote && typeof o.note !== "string" ? o.sourceCommittedAt : undefined,
      deployment: hasNote && typeof o.note !== "string" ? o.deployment : undefined,
      sodViolation: hasNote && typeof o.note !== "string" && sod, invalidNote: typeof o.note === "string",
    });
    return this;
  }

  /** A change without Stagegate: a merged hand-made PR, a direct push, or a GitHub revert commit. */
  manual(kind: "hand-made" | "direct-push" | "revert", o: { env: string; service: string; digest: string; at: Date; pr?: number; who?: string }): this {
    const previous = this.set(o.env, o.service, o.digest);
    const who = { ...ident(o.who ?? "Mallory"), at: new Date(o.at.getTime() - 120_000) };
    const files = new Map([[this.fileOf(o.env), this.kustomization(o.env)]]);
    let landed: number;
    if (kind === "hand-made") {
      const branchCommit = this.commit({ ref: "refs/heads/feature", message: `Bump ${o.service} in ${o.env}\n`, author: who, committer: who, from: this.tip, files });
      landed = this.commit({ ref: "refs/heads/main", message: `Merge pull request #${o.pr ?? 9000} from someone/bump\n`, author: { ...who, at: o.at }, committer: { ...ident("GitHub"), at: o.at }, from: this.tip, merge: branchCommit, files });
    } else {
      const message = kind === "revert" ? `Revert "Promote ${o.service} to ${o.env}"\n\nThis reverts commit ${"ab".repeat(20)}.\n` : `hotfix ${o.service}\n`;
      landed = this.commit({ ref: "refs/heads/main", message, author: who, committer: { ...who, at: o.at }, from: this.tip, files });
    }
    this.tip = landed;
    this.expected.push({ kind, env: o.env, service: o.service, digest: o.digest, previous, at: o.at, authoredAt: who.at, pr: kind === "hand-made" ? (o.pr ?? 9000) : undefined, approvers: [], overrides: [], hasNote: false, mark: landed, sodViolation: false, invalidNote: false });
    return this;
  }

  /** A commit on main that touches no environment file (must produce no row). */
  chore(at: Date, path = "README.md"): this {
    const who = { ...ident("Docs"), at };
    this.tip = this.commit({ ref: "refs/heads/main", message: "docs\n", author: who, committer: who, from: this.tip, files: new Map([[path, `updated ${at.toISOString()}\n`]]) });
    return this;
  }

  /** Writes the repository with `git init` + one `git fast-import`, then resolves marks to shas. */
  write(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const git = (args: string[], input?: string) => execFileSync("git", args, { cwd: dir, input, maxBuffer: 1 << 30, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } }).toString();
    git(["init", "-q", "-b", "main"]);
    git(["config", "user.name", "Test"]);
    git(["config", "user.email", "test@example.com"]);
    let stream = this.chunks.join("");
    const noteMark = this.nextMark++;
    if (this.notes.length > 0) {
      stream += `commit refs/notes/stagegate\nmark :${noteMark}\ncommitter Stagegate <bot@example.com> 1700000000 +0000\n${data("Notes added by stagegate\n")}`;
      for (const note of this.notes) stream += `N inline :${note.mark}\n${data(note.text)}`;
      stream += "\n";
    }
    const marksFile = `${dir}/.git/stagegate-marks`;
    git(["fast-import", "--quiet", `--export-marks=${marksFile}`], stream);
    git(["checkout", "-q", "-f", "main"]);
    for (const line of execFileSync("cat", [marksFile]).toString().split("\n")) {
      const [mark, sha] = line.split(" ");
      if (mark && sha) this.marks.set(Number(mark.slice(1)), sha);
    }
  }

  /** Sha of the first-parent commit of a built change. */
  shaOf(change: BuiltChange): string {
    const sha = this.marks.get(change.mark);
    if (!sha) throw new Error(`mark ${change.mark} not written yet`);
    return sha;
  }

  current(env: string, service: string): string | undefined {
    return this.state.get(env)?.get(service);
  }

  private set(env: string, service: string, digest: string): string | undefined {
    const map = this.state.get(env);
    if (!map) throw new Error(`unknown environment ${env}`);
    const previous = map.get(service);
    map.set(service, digest);
    return previous;
  }

  private imageOf(service: string): string {
    const found = this.services.find((s) => s.name === service);
    if (!found) throw new Error(`unknown service ${service}`);
    return found.image;
  }

  private fileOf(env: string): string {
    return `environments/${env}/kustomization.yaml`;
  }

  private configYaml(): string {
    const envs = this.environments.map((e) => `  - name: ${e.name}\n    path: environments/${e.name}\n    from: [${(e.from ?? []).join(", ")}]\n`).join("");
    const services = this.services.map((s) => `  - name: ${s.name}\n    image: ${s.image}\n`).join("");
    return `version: 1\nenvironments:\n${envs}services:\n${services}`;
  }

  private kustomization(env: string): string {
    const images = [...(this.state.get(env) ?? new Map<string, string>())]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([service, digest]) => {
        const tag = this.tags.get(env)?.get(service);
        return `  - name: ${this.imageOf(service)}\n${tag ? `    newTag: ${tag}\n` : ""}    digest: ${digest}\n`;
      })
      .join("");
    return `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n${images ? `images:\n${images}` : ""}`;
  }

  private noteText(o: PromoteOptions, kind: string, image: string, previous: string | undefined, pr: number, sourceSha: string): string {
    const evidence = {
      version: 1,
      kind,
      service: o.service,
      environment: o.env,
      policy: "default",
      ...(o.requestedBy ? { requestedBy: o.requestedBy } : {}),
      artifact: {
        service: o.service,
        image,
        digest: o.digest,
        source: { repo: `acme/${o.service}`, sha: sourceSha, ...(o.sourceAuthor ? { author: o.sourceAuthor } : {}), ...(o.sourceCommittedAt ? { committedAt: o.sourceCommittedAt.toISOString() } : {}) },
      },
      previous: previous ? [{ digest: previous }] : [],
      files: [{ path: this.fileOf(o.env), editor: "kustomize", lines: 1 }],
      pullRequest: { number: pr, ...(o.prAuthor ? { author: o.prAuthor } : {}) },
      gates: Object.entries(o.gates ?? {}).map(([name, result]) => ({ name, result })),
      approvals: (o.approvers ?? []).map((reviewer) => ({ reviewer, at: o.at.toISOString() })),
      overrides: o.overrides ?? [],
      ...(o.mergedBy ? { mergedBy: o.mergedBy } : {}),
    };
    const parts = [JSON.stringify(evidence)];
    // Deployment results arrive later and are appended, as `git notes append` does (blank line between).
    if (o.deployment) parts.push(JSON.stringify({ deployments: [{ id: pr, environment: o.env, state: o.deployment.state, at: o.deployment.at.toISOString() }] }));
    return `${parts.join("\n\n")}\n`;
  }

  private commit(spec: CommitSpec): number {
    const mark = this.nextMark++;
    let out = `commit ${spec.ref}\nmark :${mark}\n`;
    out += `author ${spec.author.name} <${spec.author.email}> ${epoch(spec.author.at)} +0000\n`;
    out += `committer ${spec.committer.name} <${spec.committer.email}> ${epoch(spec.committer.at)} +0000\n`;
    out += data(spec.message);
    if (spec.from !== undefined) out += `from :${spec.from}\n`;
    if (spec.merge !== undefined) out += `merge :${spec.merge}\n`;
    for (const [path, content] of spec.files) out += `M 100644 inline ${path}\n${data(content)}`;
    this.chunks.push(`${out}\n`);
    return mark;
  }
}

function epoch(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

function data(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`;
}
