import type { Command } from 'commander';
import type { RecordChange } from '@minke/contract';
import type { RecordValues } from '../../model/record-codec.js';
import type { RefLabels } from '../../operations/ref-labels.js';
import { shownValue } from '../field-changes.js';
import type { WithSource } from '../local-or-remote.js';
import {
  addNewestFirstPageFlags,
  newestFirstWindowOf,
  nextPageLine,
  type PageFlags,
} from '../page-flags.js';
import type { GlobalOptions } from '../project-context.js';
import { stdoutOut } from '../output.js';
import type { RecordsSource } from '../remote/remote-records.js';
import { recordId, shown } from './records-write.js';

/**
 * `records changes MODEL RECORD`: who changed the record, when, through what, and which fields
 * (from the audit log, newest first): on the project or, with --server, a server's (the model's
 * view permission there).
 */
export function registerRecordChangesCommand(
  records: Command,
  globals: () => GlobalOptions,
  withRecords: WithSource<RecordsSource>,
): void {
  addNewestFirstPageFlags(
    records
      .command('changes <model> <record>')
      .description(
        "a record's changes from the audit log, newest first: who, when, through what, and each field before → after",
      ),
  )
    .option('--json', 'print JSON')
    .action(async (modelName: string, named: string, options: PageFlags & { json?: boolean }) => {
      const out = stdoutOut();
      const window = newestFirstWindowOf(options);
      await withRecords(globals(), async (source) => {
        const model = await source.model(modelName);
        const page = await source.changes(model.name, await recordId(source, model, named), window);
        if (options.json) return out.json(page);
        if (page.items.length === 0)
          return out.line(`no changes to ${model.name} ${named} in the audit log`);
        // A ref names what it points at (the host by its name), as `records show` does.
        const labels = await source.refLabels(model, page.items.flatMap(sidesOf));
        out.table(
          ['WHEN', 'WHO', 'VIA', 'ACTION', 'CHANGES'],
          page.items.map((change) => [
            change.at.replace('T', ' ').slice(0, 19),
            change.actor.name,
            change.via,
            change.action,
            changesText(change, labels),
          ]),
        );
        const next = nextPageLine(page);
        if (next) out.line(next);
      });
    });
}

/** `os Debian 11 → Debian 12, host web-1 → web-2`: every field the change touched. */
function changesText(change: RecordChange, labels: RefLabels): string {
  if (change.fields.length === 0) return '-';
  const text = (value: unknown, field: string) =>
    typeof value === 'number' ? shown(value, field, labels) : shownValue(value);
  return change.fields
    .map(({ field, before, after }) => `${field} ${text(before, field)} → ${text(after, field)}`)
    .join(', ');
}

/** The record's values on either side of a change, for naming what its refs point at. */
function sidesOf(change: RecordChange): RecordValues[] {
  const side = (which: 'before' | 'after'): RecordValues => ({
    id: 0,
    ...Object.fromEntries(change.fields.map((field) => [field.field, field[which]])),
  });
  return [side('before'), side('after')];
}
