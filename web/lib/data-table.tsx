/**
 * The console's lists as one table markup (alerts, silences, alert history, audit log, slowlog, keyspace): a header
 * row, then a row per item whose every cell carries its column's name. On a narrow screen (a 390 px phone) each row
 * stacks into "name value" lines (app.css, table.stacked) instead of making the page scroll sideways.
 */
import type { ComponentChildren, JSX } from 'preact';

export interface Column<R> {
  title: string;
  cell(row: R): ComponentChildren;
  /** Right-aligned figures (stacked: left-aligned like the rest). */
  numeric?: boolean;
  /** A class for this column's cells (`labels`, `nowrap` …). */
  class?: string;
  /** The row's name: a row header (`<th scope="row">`), the first line of a stacked row. */
  rowHeader?: boolean;
  /** A title for screen readers only (a column of buttons): no visible header, no stacked name. */
  hiddenTitle?: boolean;
}

export interface DataTableProps<R> {
  columns: Column<R>[];
  rows: readonly R[];
  rowKey(row: R, index: number): string | number;
  /** `data-…` attributes of a row (what tests and styles select it by). */
  rowData?(row: R): Record<`data-${string}`, string | undefined>;
  /** Shown under a row across every column (a form opened from it), or null. */
  below?(row: R): ComponentChildren | null;
  testId?: string;
  class?: string;
  wrapClass?: string;
}

function HeaderCell<R>({ c }: { c: Column<R> }) {
  return (
    <th scope="col" class={c.numeric ? 'num' : undefined}>
      {c.hiddenTitle ? <span class="sr-only">{c.title}</span> : c.title}
    </th>
  );
}

/** A cell: its column's name (shown before the value when stacked) and the value in one box, styled by `class`. */
function Cell<R>({ c, row }: { c: Column<R>; row: R }) {
  const cls = c.numeric ? 'num' : undefined;
  const label = c.hiddenTitle ? undefined : c.title;
  const content = c.cell(row);
  const value = content === false || content === null || content === undefined || content === '' ? null : content;
  const inner = value === null ? null : <span class={c.class ? `value ${c.class}` : 'value'}>{value}</span>;
  if (c.rowHeader)
    return (
      <th scope="row" class={cls} data-label={label}>
        {inner}
      </th>
    );
  return (
    <td class={cls} data-label={label}>
      {inner}
    </td>
  );
}

export function DataTable<R>(p: DataTableProps<R>) {
  return (
    <div class={`table-wrap${p.wrapClass ? ` ${p.wrapClass}` : ''}`}>
      <table class={`stacked${p.class ? ` ${p.class}` : ''}`} data-testid={p.testId}>
        <thead>
          <tr>
            {p.columns.map((c) => (
              <HeaderCell key={c.title} c={c} />
            ))}
          </tr>
        </thead>
        <tbody>
          {p.rows.map((row, i) => {
            const extra = p.below?.(row);
            const attrs = (p.rowData?.(row) ?? {}) as JSX.HTMLAttributes<HTMLTableRowElement>;
            return [
              <tr key={p.rowKey(row, i)} {...attrs}>
                {p.columns.map((c) => (
                  <Cell key={c.title} c={c} row={row} />
                ))}
              </tr>,
              extra ? (
                <tr key={`${p.rowKey(row, i)}-below`} class="below">
                  <td colSpan={p.columns.length}>{extra}</td>
                </tr>
              ) : null,
            ];
          })}
        </tbody>
      </table>
    </div>
  );
}
