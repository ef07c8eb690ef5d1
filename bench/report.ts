/**
 * What a benchmark hands back, and how the run turns it into docs/benchmarks.md.
 *
 * A goal is reported as met or missed, never enforced: the benchmarks are reports, not gates, and
 * the run succeeds whatever the numbers are.
 */

/** One line of the summary table. */
export interface GoalRow {
  /** What was measured, e.g. "handler bundle size". */
  readonly metric: string;
  /** The measured value, with its unit. */
  readonly measured: string;
  /** The baseline measured in the same run, or "—" when the metric has none. */
  readonly baseline: string;
  /** measured / baseline, or "—". */
  readonly ratio: string;
  /** The goal, as text. */
  readonly goal: string;
  /**
   * true when met, false when missed, 'reported' for a metric without a goal, undefined when the
   * metric could not be measured.
   */
  readonly met: boolean | 'reported' | undefined;
  /** For a missed goal: by how much, and why. */
  readonly note?: string;
}

/** The result of one benchmark. */
export interface Section {
  readonly title: string;
  /** Rows for the summary table. */
  readonly goals: GoalRow[];
  /** Markdown paragraphs and tables with the details: parameters, raw numbers, explanations. */
  readonly details: string[];
}

/** A benchmark that could not run, reported as such instead of failing the whole run. */
export function notRun(title: string, metrics: string[], reason: string): Section {
  return {
    title,
    goals: metrics.map((metric) => ({
      metric,
      measured: 'not run',
      baseline: '—',
      ratio: '—',
      goal: '—',
      met: undefined,
      note: reason,
    })),
    details: [`Not run: ${reason}`],
  };
}

/** A markdown table; cells have their pipes escaped. */
export function table(header: string[], rows: string[][]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** The verdict column of the summary table. */
export function verdict(met: boolean | 'reported' | undefined): string {
  if (met === undefined) return 'not measured';
  if (met === 'reported') return 'reported';
  return met ? 'met' : '**missed**';
}

/** The whole document. */
export function render(preamble: string[], sections: Section[]): string {
  const summary = table(
    ['metric', 'measured', 'baseline (same run)', 'ratio', 'goal', 'result'],
    sections.flatMap((s) =>
      s.goals.map((g) => [g.metric, g.measured, g.baseline, g.ratio, g.goal, verdict(g.met)])),
  );
  const missed = sections.flatMap((s) =>
    s.goals.filter((g) => g.met === false || g.met === undefined));
  const missedText = missed.length === 0
    ? ['Every goal is met.']
    : missed.map((g) =>
      `- **${g.metric}** (${verdict(g.met)}): ${g.note ?? 'no explanation recorded'}`);

  const parts = [
    ...preamble,
    '## Summary',
    summary,
    '## Missed goals',
    missedText.join('\n'),
    ...sections.flatMap((s) => [`## ${s.title}`, ...s.details]),
  ];
  return parts.join('\n\n') + '\n';
}
