/**
 * The code version a run records: the git commit of the working folder and whether the tree had
 * uncommitted changes, read by running `git` (read-only commands, without taking git's optional
 * locks, so it never competes with a commit in progress).
 */
import { execFile } from 'node:child_process';

/** A run's code version; both `null` when unknown. */
export interface CodeVersion {
  /** The commit checked out (40 hex digits), or `null` outside a repository or without git. */
  commit: string | null;
  /** Whether tracked or untracked files differ from that commit; `null` when unknown. */
  dirty: boolean | null;
}

function git(args: string[], cwd: string, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    try {
      execFile(
        'git',
        args,
        { cwd, timeout: timeoutMs, windowsHide: true, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } },
        (err, stdout) => resolve(err ? null : stdout),
      );
    } catch {
      resolve(null);
    }
  });
}

/**
 * Reads the git commit and dirty state of `cwd`. Never throws: outside a repository, without a
 * `git` executable, in a repository without commits or past the timeout, the unknown parts are
 * `null`.
 *
 * @param cwd - the folder whose repository is read. @default process.cwd()
 * @param options.timeoutMs - how long each git command may take. @default 5000
 *
 * @example
 * ```ts
 * import { codeVersion } from 'mlship/tracking';
 * const { commit, dirty } = await codeVersion();
 * console.log(commit ?? 'not in git', dirty ? '(uncommitted changes)' : '');
 * ```
 */
export async function codeVersion(cwd: string = process.cwd(), options: { timeoutMs?: number } = {}): Promise<CodeVersion> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const head = await git(['rev-parse', '--verify', '--quiet', 'HEAD'], cwd, timeoutMs);
  const commit = head !== null && /^[0-9a-f]{40,64}$/.test(head.trim()) ? head.trim() : null;
  if (commit === null) return { commit: null, dirty: null };
  const status = await git(['status', '--porcelain', '--untracked-files=normal'], cwd, timeoutMs);
  return { commit, dirty: status === null ? null : status.trim().length > 0 };
}
