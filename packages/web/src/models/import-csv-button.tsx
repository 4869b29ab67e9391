import { useState, type ChangeEvent } from 'react';
import UploadIcon from '@mui/icons-material/Upload';
import {
  Alert,
  Box,
  Button as MuiButton,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { Button, useNotify, useRefresh } from 'react-admin';
import {
  RECORD_IMPORT_MAX_BYTES,
  type ImportedRow,
  type ModelMeta,
  type RecordImportReply,
} from '@minke/contract';
import { ApiError, api } from '../api/http.js';

/** Rows of a check shown in the dialog; the counts above them cover the whole file. */
const ROWS_SHOWN = 200;

/**
 * "Import CSV" on a model's list: the file `Export CSV` writes (or a spreadsheet's), checked by
 * the server first (a dry run that lists what each row would add or change, or every bad row by
 * its line), then imported in one request (`POST /api/records/:model/import`) as the user, each
 * write audited. Shown to users who may add or change the model's records.
 */
export function ImportCsvButton({ meta }: { meta: ModelMeta }) {
  const [open, setOpen] = useState(false);
  if (!meta.permissions.add && !meta.permissions.change) return null;
  return (
    <>
      <Button
        label="Import CSV"
        title="add and change records from a CSV file"
        onClick={() => setOpen(true)}
        data-testid="import-csv"
      >
        <UploadIcon />
      </Button>
      {open ? <ImportCsvDialog meta={meta} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

type Checked =
  | { file: string; csv: string; report: RecordImportReply }
  | { file: string; error: ApiError | Error };

function ImportCsvDialog({ meta, onClose }: { meta: ModelMeta; onClose: () => void }) {
  const [checked, setChecked] = useState<Checked>();
  const [busy, setBusy] = useState(false);
  const notify = useNotify();
  const refresh = useRefresh();
  const path = `/api/records/${encodeURIComponent(meta.name)}/import`;

  /** Sends the file (a check, or the import); a refusal is shown in the dialog, by its rows. */
  const send = async (file: string, work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch (error) {
      setChecked({ file, error: error instanceof Error ? error : new Error(String(error)) });
    } finally {
      setBusy(false);
    }
  };

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = ''; // the same file chosen again (after fixing it) checks again
    if (!file) return;
    setChecked(undefined);
    await send(file.name, async () => {
      if (file.size > RECORD_IMPORT_MAX_BYTES)
        throw new Error(
          `${mib(file.size)} MiB; an import takes ${mib(RECORD_IMPORT_MAX_BYTES)} MiB at most: split it into smaller files`,
        );
      const csv = await file.text();
      const report = await api<RecordImportReply>(path, {
        method: 'POST',
        body: { csv, dryRun: true },
      });
      setChecked({ file: file.name, csv, report });
    });
  };

  const apply = async () => {
    if (!checked || !('report' in checked)) return;
    const { file, csv } = checked;
    await send(file, async () => {
      const done = await api<RecordImportReply>(path, { method: 'POST', body: { csv } }).catch(
        (error: unknown) => {
          if (error instanceof ApiError) throw error;
          // No answer (the server stopped, the network): what it wrote before is written.
          throw new Error(
            `no answer from the server (${String(error)}). If it stopped during the import, the rows it wrote stay written: choose the file again once it is back to see what is left`,
          );
        },
      );
      notify(
        `Imported ${file}: ${done.added} added, ${done.changed} changed, ${done.unchanged} unchanged`,
        { type: 'info' },
      );
      refresh();
      onClose();
    });
  };

  const report = checked && 'report' in checked ? checked.report : undefined;
  const toDo = report ? report.added + report.changed : 0;
  return (
    <Dialog open onClose={busy ? undefined : onClose} maxWidth="md" fullWidth>
      <DialogTitle>Import {meta.label} from CSV</DialogTitle>
      <DialogContent>
        <Typography variant="body2" sx={{ mb: 2 }}>
          The columns are the fields, as <b>Export CSV</b> writes them. A row with an{' '}
          <code>id</code> changes that record where its values differ; a row without one adds a
          record. A ref takes its target&apos;s name, id or label. Every row is checked before
          anything is written.
        </Typography>
        <MuiButton component="label" variant="outlined" disabled={busy} startIcon={<UploadIcon />}>
          {checked ? 'Choose another file' : 'Choose a CSV file'}
          <input
            hidden
            type="file"
            accept=".csv,text/csv"
            onChange={(event) => void choose(event)}
            data-testid="import-csv-file"
          />
        </MuiButton>
        {busy ? (
          <Typography variant="body2" sx={{ mt: 2 }}>
            Working…
          </Typography>
        ) : null}
        {checked && 'error' in checked ? (
          <ImportErrors file={checked.file} error={checked.error} />
        ) : null}
        {checked && report ? <ImportPreview file={checked.file} report={report} /> : null}
      </DialogContent>
      <DialogActions>
        <MuiButton onClick={onClose} disabled={busy}>
          Cancel
        </MuiButton>
        <MuiButton
          variant="contained"
          onClick={() => void apply()}
          disabled={busy || toDo === 0}
          data-testid="import-csv-apply"
        >
          {toDo === 0 ? 'Import' : `Import ${toDo} ${toDo === 1 ? 'row' : 'rows'}`}
        </MuiButton>
      </DialogActions>
    </Dialog>
  );
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}

/** What a check found: the counts, then each row that adds or changes a record. */
function ImportPreview({ file, report }: { file: string; report: RecordImportReply }) {
  return (
    <Box sx={{ mt: 2 }} data-testid="import-csv-preview">
      <Stack direction="row" spacing={1} sx={{ mb: 1, alignItems: 'center' }}>
        <Typography variant="subtitle2">{file}:</Typography>
        <Chip size="small" color="success" label={`${report.added} to add`} />
        <Chip size="small" color="info" label={`${report.changed} to change`} />
        <Chip size="small" label={`${report.unchanged} unchanged`} />
      </Stack>
      {report.rows.length > 0 ? (
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>Line</TableCell>
              <TableCell>Record</TableCell>
              <TableCell>Changes</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {report.rows.slice(0, ROWS_SHOWN).map((row) => (
              <TableRow key={row.line}>
                <TableCell>{row.line}</TableCell>
                <TableCell>
                  {row.outcome === 'added' ? (
                    <Chip size="small" color="success" label="new" />
                  ) : (
                    row.label
                  )}
                </TableCell>
                <TableCell>{changesText(row)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : (
        <Typography variant="body2">Nothing to import: every row matches its record.</Typography>
      )}
      {report.rows.length > ROWS_SHOWN ? (
        <Typography variant="body2" sx={{ mt: 1 }}>
          … and {report.rows.length - ROWS_SHOWN} more rows.
        </Typography>
      ) : null}
    </Box>
  );
}

/** A change as `field: before → after`; a new record's values as `field: value`. */
function changesText(row: ImportedRow): string {
  return row.changes
    .map((c) =>
      row.outcome === 'added' ? `${c.field}: ${c.after}` : `${c.field}: ${c.before} → ${c.after}`,
    )
    .join('; ');
}

/** Why nothing was imported: each bad row by its line, or the one reason. */
function ImportErrors({ file, error }: { file: string; error: Error }) {
  const rows = error instanceof ApiError ? Object.entries(error.fields) : [];
  return (
    <Alert severity="error" sx={{ mt: 2 }} data-testid="import-csv-errors">
      <Typography variant="body2" sx={{ mb: rows.length ? 1 : 0 }}>
        {file}: {error.message}
      </Typography>
      {rows.map(([line, why]) => (
        <Typography key={line} variant="body2">
          <b>{line}</b>: {why}
        </Typography>
      ))}
    </Alert>
  );
}
