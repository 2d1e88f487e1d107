/** Where a CLI run writes: stdout for results, stderr for progress and errors. */
export interface CliIo {
  /** Results (tables, JSON). */
  stdout: { write(chunk: string): unknown };
  /** Progress, warnings and errors. `isTTY` enables the redrawing progress line. */
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  /** Base directory for relative paths. @default process.cwd() */
  cwd?: string;
  /** Environment variables (MLSHIP_DEBUG). @default process.env */
  env?: Record<string, string | undefined>;
}

/** The real process streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A progress line on stderr. On a TTY it redraws one line (spinner, label, percent) at most ten
 * times a second; otherwise it prints a plain line when a step starts, every few seconds while it
 * runs, and when it ends, so logs stay readable.
 */
export class Progress {
  private label = '';
  private started = 0;
  private lastDraw = 0;
  private frame = 0;
  private active = false;
  private readonly tty: boolean;

  constructor(
    private readonly stream: CliIo['stderr'],
    private readonly enabled = true,
    private readonly intervalMs = 3000,
  ) {
    this.tty = stream.isTTY === true;
  }

  /** Starts a step. */
  start(label: string): void {
    if (this.active) this.done();
    this.label = label;
    this.started = performance.now();
    this.lastDraw = 0;
    this.active = true;
    if (!this.enabled) return;
    if (this.tty) this.draw('');
    else this.stream.write(`${label}...\n`);
  }

  /** Reports progress of the current step: a fraction in [0, 1] and/or a detail text. */
  update(fraction: number | undefined, detail = ''): void {
    if (!this.enabled || !this.active) return;
    const now = performance.now();
    const pct = fraction === undefined || !Number.isFinite(fraction) ? '' : `${Math.min(100, Math.max(0, fraction * 100)).toFixed(0)}%`;
    const text = [pct, detail].filter(Boolean).join(' ');
    if (this.tty) {
      if (now - this.lastDraw < 100) return;
      this.draw(text);
    } else if (now - this.lastDraw >= this.intervalMs && now - this.started >= this.intervalMs) {
      this.lastDraw = now;
      this.stream.write(`${this.label}... ${text}\n`);
    }
  }

  /** Ends the current step, printing its duration. */
  done(detail = ''): void {
    if (!this.active) return;
    this.active = false;
    if (!this.enabled) return;
    const secs = ((performance.now() - this.started) / 1000).toFixed(2);
    const line = `${this.label}: done in ${secs}s${detail ? ` (${detail})` : ''}`;
    if (this.tty) this.stream.write(`\r\x1b[2K✔ ${line}\n`);
    else this.stream.write(`${line}\n`);
  }

  /** Clears a pending TTY line (before an error is printed). */
  abort(): void {
    if (this.active && this.enabled && this.tty) this.stream.write('\r\x1b[2K');
    this.active = false;
  }

  private draw(text: string): void {
    this.lastDraw = performance.now();
    const f = FRAMES[this.frame++ % FRAMES.length]!;
    this.stream.write(`\r\x1b[2K${f} ${this.label}${text ? ` ${text}` : ''}`);
  }
}

/**
 * Formats rows as an aligned text table: the first row is the header, numbers are right-aligned.
 *
 * @example
 * ```ts
 * table([['model', 'accuracy'], ['nb', '0.9710']]);
 * ```
 */
export function table(rows: readonly (readonly (string | number)[])[], options: { indent?: string } = {}): string {
  if (rows.length === 0) return '';
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const numeric = rows[rows.length - 1]!.map((_, j) => rows.slice(1).every((r) => typeof r[j] === 'number' || /^-?[\d.,]+(e[-+]?\d+)?%?s?$/.test(String(r[j] ?? ''))));
  const widths = cells[0]!.map((_, j) => Math.max(...cells.map((r) => width(r[j] ?? ''))));
  const indent = options.indent ?? '';
  const line = (r: string[]): string =>
    indent +
    r
      .map((c, j) => (numeric[j] && j > 0 ? pad(c, widths[j]!, 'left') : pad(c, widths[j]!, 'right')))
      .join('  ')
      .trimEnd();
  const [head, ...body] = cells;
  return [line(head!), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n') + '\n';
}

/** A number for a table cell: integers as is, others with 4 decimals. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'n/a';
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(4);
}

/** A key/value listing with aligned keys. */
export function keyValues(pairs: readonly (readonly [string, string | number])[]): string {
  const w = Math.max(0, ...pairs.map(([k]) => width(k)));
  return pairs.map(([k, v]) => `${pad(k, w, 'right')}  ${typeof v === 'number' ? formatNumber(v) : v}`).join('\n') + '\n';
}

function width(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number, side: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return side === 'left' ? fill + s : s + fill;
}

/**
 * Thrown by a command that has printed its result but must exit with a non-zero status (e.g. a
 * promotion the gate refused), so scripts can branch on it; `run` returns `status` and prints nothing more.
 */
export class ExitStatus extends Error {
  constructor(readonly status: number) {
    super(`exit status ${status}`);
    this.name = 'ExitStatus';
  }
}
