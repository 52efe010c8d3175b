/**
 * A pull request made with real git: a repository with a base commit and head commits, checked out
 * at the head (the Action's workspace), and the sandbox's GitHub told what GitHub would know — the
 * head sha and each changed file's patch exactly as `git diff` writes it (GitHub's `patch` field is
 * that diff's hunks). So the Action's line placement is tested against real diffs, not hand-made ones.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Sandbox } from "../sandbox/index.js";
import type { PullFileState } from "../sandbox/state.js";
import type { Workspace } from "./action-runner.js";

/** Repository-relative path → text; `null` deletes the file. */
export type Tree = Record<string, string | null>;

export interface PrRepo extends Workspace {
  base: string;
  head: string;
  /** Commits `changes` on top of the head, updates GitHub's view of the PR and the event payload. */
  push(changes: Tree): string;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=Dev", "-c", "user.email=dev@example.test", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", ...args],
    {
      cwd: dir,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
    },
  );
}

function write(dir: string, tree: Tree): void {
  for (const [file, text] of Object.entries(tree)) {
    const full = path.join(dir, file);
    if (text === null) rmSync(full, { force: true });
    else {
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
  }
}

function commit(dir: string, tree: Tree, message: string): string {
  write(dir, tree);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "--allow-empty", "-m", message);
  return git(dir, "rev-parse", "HEAD").trim();
}

const STATUS: Record<string, PullFileState["status"]> = {
  A: "added",
  M: "modified",
  D: "removed",
  R: "renamed",
  C: "copied",
  T: "changed",
};

/** The PR's files as GitHub lists them: status and the diff's hunks (no headers, no final newline). */
export function pullFiles(dir: string, base: string, head: string): PullFileState[] {
  const out: PullFileState[] = [];
  for (const row of git(dir, "diff", "--name-status", "--no-renames", base, head).split("\n").filter(Boolean)) {
    const [code = "M", filename = ""] = row.split("\t");
    const diff = git(dir, "diff", "--no-color", "--no-ext-diff", "-U3", base, head, "--", filename);
    const at = diff.indexOf("\n@@");
    const patch = at >= 0 ? diff.slice(at + 1).replace(/\n$/, "") : undefined;
    out.push({ filename, status: STATUS[code[0] ?? "M"] ?? "modified", ...(patch !== undefined ? { patch } : {}) });
  }
  return out;
}

/** A repository whose PR #12 goes from `base` to `head`, with the runner files the Action needs. */
export function prRepo(sb: Sandbox, baseTree: Tree, headTree: Tree, opts: { fork?: boolean } = {}): PrRepo {
  const dir = mkdtempSync(path.join(tmpdir(), "aag-action-pr-"));
  git(dir, "-c", "init.defaultBranch=main", "init", "-q");
  const base = commit(dir, baseTree, "base");
  git(dir, "checkout", "-q", "-b", "feature");
  const tempDir = mkdtempSync(path.join(tmpdir(), "aag-action-tmp-"));
  const ws: PrRepo = {
    dir,
    eventFile: path.join(tempDir, "event.json"),
    summaryFile: path.join(tempDir, "summary.md"),
    outputFile: path.join(tempDir, "output.txt"),
    tempDir,
    base,
    head: base,
    push(changes: Tree): string {
      ws.head = commit(dir, changes, "change");
      const gh = sb.state.github!;
      gh.headSha = ws.head;
      gh.pullFiles = pullFiles(dir, base, ws.head);
      const repo = { full_name: "contoso/django-app", fork: false };
      const headRepo = opts.fork ? { full_name: "contributor/django-app", fork: true } : repo;
      writeFileSync(
        ws.eventFile,
        JSON.stringify({
          action: "synchronize",
          number: 12,
          pull_request: { number: 12, head: { sha: ws.head, repo: headRepo }, base: { sha: base, repo } },
        }),
      );
      return ws.head;
    },
  };
  writeFileSync(ws.summaryFile, "");
  writeFileSync(ws.outputFile, "");
  ws.push(headTree);
  return ws;
}
