/** Machine-readable output: the report as it is (secrets already redacted), with both sides and totals. */
import type { DiffReport, Side } from './types.js';
import { countChanges } from './summary.js';

export interface JsonOptions {
  base: Side;
  head: Side;
  renderChecked?: boolean;
}

export function formatJson(report: DiffReport, opts: JsonOptions): string {
  const doc = {
    base: opts.base,
    head: opts.head,
    renderChecked: opts.renderChecked ?? true,
    summary: { ...countChanges(report.changes), unchanged: report.unchanged, environments: report.environments },
    changes: report.changes,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
