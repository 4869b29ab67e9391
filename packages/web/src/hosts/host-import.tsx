import { useState, type ChangeEvent } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Checkbox,
  FormControlLabel,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import { Title, useNotify } from 'react-admin';
import { Link } from 'react-router-dom';
import { api } from '../api/http.js';

/** What POST /api/hosts/import answers. */
interface ImportReport {
  dryRun: boolean;
  /** Hosts added, or that would be on a dry run. */
  added: string[];
  skipped: { alias: string; reason: string }[];
}

/** Hosts from an OpenSSH config: paste it or upload the file; a dry run shows what would happen. */
export function HostImport() {
  const [text, setText] = useState('');
  const [groups, setGroups] = useState('');
  const [dryRun, setDryRun] = useState(true);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport>();
  const [error, setError] = useState<string>();
  const notify = useNotify();

  const upload = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    file.text().then(setText, (e: unknown) => setError((e as Error).message));
  };

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api<ImportReport>('/api/hosts/import', {
        method: 'POST',
        body: {
          text,
          dryRun,
          groups: groups
            .split(',')
            .map((g) => g.trim())
            .filter(Boolean),
        },
      });
      setReport(result);
      if (!dryRun) notify(`Imported ${result.added.length} hosts`, { type: 'info' });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Import hosts" />
      <CardContent>
        <Typography variant="body2" sx={{ mb: 2 }}>
          One host per concrete <code>Host</code> entry of an OpenSSH config; patterns (
          <code>*</code>, <code>?</code>) are skipped. Existing hosts are left alone.
        </Typography>
        <Stack spacing={2}>
          <Box>
            <Button component="label" variant="outlined" startIcon={<UploadFileIcon />}>
              Upload ssh_config
              <input type="file" hidden onChange={upload} data-testid="import-file" />
            </Button>
          </Box>
          <TextField
            label="OpenSSH config"
            multiline
            minRows={10}
            value={text}
            onChange={(e) => setText(e.target.value)}
            slotProps={{
              htmlInput: { spellCheck: false, style: { fontFamily: 'monospace', fontSize: 13 } },
            }}
            placeholder={'Host web-1\n  HostName 10.0.0.5\n  User deploy\n  Port 22'}
          />
          <TextField
            label="Add to groups"
            helperText="comma-separated host group names"
            size="small"
            value={groups}
            onChange={(e) => setGroups(e.target.value)}
          />
          <FormControlLabel
            control={<Checkbox checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />}
            label="Dry run (show what would be imported)"
          />
          <Box>
            <Button
              variant="contained"
              disabled={busy || !text.trim()}
              onClick={() => void submit()}
            >
              {dryRun ? 'Check' : 'Import'}
            </Button>
          </Box>
          {error ? <Alert severity="error">{error}</Alert> : null}
          {report ? (
            <Alert severity={report.added.length ? 'success' : 'info'} data-testid="import-report">
              <div>
                <strong>
                  {report.dryRun ? 'Would add' : 'Added'} ({report.added.length}):
                </strong>{' '}
                {report.added.join(', ') || 'none'}
              </div>
              {report.skipped.length ? (
                <div>
                  <strong>Skipped ({report.skipped.length}):</strong>{' '}
                  {report.skipped.map((s) => `${s.alias} (${s.reason})`).join(', ')}
                </div>
              ) : null}
              {!report.dryRun && report.added.length ? (
                <Link to="/Host">Go to the hosts</Link>
              ) : null}
            </Alert>
          ) : null}
        </Stack>
      </CardContent>
    </Card>
  );
}
