import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  CardHeader,
  Checkbox,
  FormControlLabel,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { Title, useNotify } from 'react-admin';
import { useNavigate } from 'react-router-dom';
import type { JobDetail, NewJobBody, SessionMeta } from '@minke/contract';
import { api } from '../api/http.js';
import { useApiQuery } from '../facts/use-api-query.js';
import { formFields, type FieldSpec } from '../schema-form/form-fields.js';
import { when } from './job-text.js';

/** Names that read as secrets are kept out of a job's data, as the server does. */
const SECRET_NAME = /(password|passphrase|secret|token)/i;

function isSecret(field: FieldSpec): boolean {
  return field.secret === true || SECRET_NAME.test(field.name);
}

/** A form value typed by its field (numbers, booleans, JSON), as the run dialog sends it. */
function typed(field: FieldSpec, text: string | boolean): unknown {
  if (typeof text === 'boolean') return text;
  if ((field.widget === 'number' || field.widget === 'integer') && text.trim() !== '')
    return Number(text);
  if (field.widget === 'json' && text.trim() !== '') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * A new saved job: its session and model, the objects as a where (with a live count of what
 * matches now) or all, the form (secret fields from a credential or asked at launch), and a
 * schedule with its next five times.
 */
export function JobEditor() {
  const notify = useNotify();
  const navigate = useNavigate();
  const sessions = useApiQuery<SessionMeta[]>('/api/sessions');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [sessionName, setSessionName] = useState('');
  const [model, setModel] = useState('');
  const [kind, setKind] = useState<'where' | 'all'>('where');
  const [where, setWhere] = useState('');
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [scheduled, setScheduled] = useState(false);
  const [cron, setCron] = useState('0 2 * * *');
  const [timezone, setTimezone] = useState('UTC');
  const [endAt, setEndAt] = useState('');
  const [missed, setMissed] = useState<'skip' | 'run-once'>('skip');
  const [overlap, setOverlap] = useState<'skip' | 'queue'>('skip');
  const [preview, setPreview] = useState<{ times: string[]; error?: string }>({ times: [] });
  const [saving, setSaving] = useState(false);

  const session = sessions.data?.find((s) => s.name === sessionName);
  const fields = useMemo(() => formFields(session?.form), [session]);
  const chosenModel = model || (session?.models.length === 1 ? (session.models[0] ?? '') : '');
  const count = useApiQuery<{ total: number }>(
    chosenModel && (kind === 'all' || where.trim() !== '')
      ? `/api/records/${encodeURIComponent(chosenModel)}`
      : null,
    kind === 'where' ? { where, limit: 1 } : { limit: 1 },
  );

  // The next five times, asked again (a moment after typing stops) whenever the timing changes.
  useEffect(() => {
    if (!scheduled) return;
    const timer = setTimeout(() => {
      api<{ nextTimes: string[] }>('/api/schedules/preview', {
        method: 'POST',
        body: { cron, timezone, ...(endAt ? { endAt: new Date(endAt).toISOString() } : {}) },
      }).then(
        (reply) => setPreview({ times: reply.nextTimes }),
        (error: unknown) => setPreview({ times: [], error: (error as Error).message }),
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [scheduled, cron, timezone, endAt]);

  const save = async () => {
    setSaving(true);
    const data: Record<string, unknown> = {};
    const secretSources: NonNullable<NewJobBody['secrets']> = {};
    for (const field of fields) {
      if (isSecret(field)) {
        const source = secrets[field.name] ?? '';
        if (source !== '')
          secretSources[field.name] = source === '(ask)' ? 'ask' : { credential: source };
        continue;
      }
      const value = values[field.name];
      if (value !== undefined && value !== '') data[field.name] = typed(field, value);
    }
    const body: NewJobBody = {
      name,
      ...(description ? { description } : {}),
      session: sessionName,
      ...(chosenModel ? { model: chosenModel } : {}),
      selection: kind === 'all' ? { kind: 'all' } : { kind: 'where', where },
      data,
      secrets: secretSources,
      ...(scheduled
        ? {
            schedule: {
              cron,
              timezone,
              ...(endAt ? { endAt: new Date(endAt).toISOString() } : {}),
              missed,
              overlap,
            },
          }
        : {}),
    };
    try {
      const saved = await api<JobDetail>('/api/jobs', { method: 'POST', body });
      notify(`Saved job ${saved.name}`, { type: 'info' });
      void navigate(`/jobs/${saved.id}`);
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Box sx={{ mt: 2 }} data-testid="job-editor">
      <Title title="New job" />
      <Card>
        <CardHeader title="New job" />
        <CardContent>
          <Stack spacing={2} sx={{ maxWidth: 640 }}>
            <TextField
              label="Name"
              name="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              helperText="lower-case letters, digits, . _ and -"
            />
            <TextField
              label="Description"
              name="description"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
            <TextField
              select
              label="Session"
              name="session"
              value={sessionName}
              onChange={(e) => {
                setSessionName(e.target.value);
                setModel('');
                setValues({});
                setSecrets({});
              }}
            >
              {(sessions.data ?? []).map((s) => (
                <MenuItem key={s.name} value={s.name} data-session={s.name}>
                  {s.verboseName}
                </MenuItem>
              ))}
            </TextField>
            {session && session.models.length > 1 ? (
              <TextField
                select
                label="Model"
                value={model}
                onChange={(e) => setModel(e.target.value)}
              >
                {session.models.map((m) => (
                  <MenuItem key={m} value={m}>
                    {m}
                  </MenuItem>
                ))}
              </TextField>
            ) : null}
            <TextField
              select
              label="Objects"
              value={kind}
              onChange={(e) => setKind(e.target.value as 'where' | 'all')}
            >
              <MenuItem value="where">Those matching a filter, at each launch</MenuItem>
              <MenuItem value="all">All of them, at each launch</MenuItem>
            </TextField>
            {kind === 'where' ? (
              <TextField
                label="Where"
                name="where"
                value={where}
                onChange={(e) => setWhere(e.target.value)}
                helperText='a filter as in minke run --where, e.g. name = "web-1"'
              />
            ) : null}
            {count.data && chosenModel ? (
              <Typography data-testid="match-count">
                {count.data.total} object(s) match now
              </Typography>
            ) : null}
            {count.error ? <Alert severity="warning">{count.error}</Alert> : null}
            {fields.map((field) =>
              isSecret(field) ? (
                <TextField
                  key={field.name}
                  label={`${field.label}: credential name, or (ask) at launch`}
                  name={`secret-${field.name}`}
                  value={secrets[field.name] ?? ''}
                  onChange={(e) => setSecrets({ ...secrets, [field.name]: e.target.value })}
                  helperText="secret: never stored in clear"
                />
              ) : field.widget === 'boolean' ? (
                <FormControlLabel
                  key={field.name}
                  control={
                    <Checkbox
                      checked={values[field.name] === true}
                      onChange={(e) => setValues({ ...values, [field.name]: e.target.checked })}
                    />
                  }
                  label={field.label}
                />
              ) : (
                <TextField
                  key={field.name}
                  label={field.label}
                  name={`data-${field.name}`}
                  value={values[field.name] ?? ''}
                  onChange={(e) => setValues({ ...values, [field.name]: e.target.value })}
                  {...(field.help ? { helperText: field.help } : {})}
                />
              ),
            )}
            <FormControlLabel
              control={
                <Checkbox
                  name="scheduled"
                  checked={scheduled}
                  onChange={(e) => setScheduled(e.target.checked)}
                />
              }
              label="On a schedule"
            />
            {scheduled ? (
              <>
                <TextField
                  label="Cron"
                  name="cron"
                  value={cron}
                  onChange={(e) => setCron(e.target.value)}
                  helperText="5 fields (minute hour day month weekday), or 6 with seconds first"
                />
                <TextField
                  label="Time zone"
                  name="timezone"
                  value={timezone}
                  onChange={(e) => setTimezone(e.target.value)}
                />
                <TextField
                  label="Ends"
                  name="endAt"
                  type="datetime-local"
                  value={endAt}
                  onChange={(e) => setEndAt(e.target.value)}
                  slotProps={{ inputLabel: { shrink: true } }}
                />
                <TextField
                  select
                  label="Ticks missed while Minke was down"
                  value={missed}
                  onChange={(e) => setMissed(e.target.value as 'skip' | 'run-once')}
                >
                  <MenuItem value="skip">Skip them</MenuItem>
                  <MenuItem value="run-once">Run once</MenuItem>
                </TextField>
                <TextField
                  select
                  label="A tick while the last run still goes"
                  value={overlap}
                  onChange={(e) => setOverlap(e.target.value as 'skip' | 'queue')}
                >
                  <MenuItem value="skip">Skip it, with a note</MenuItem>
                  <MenuItem value="queue">Queue it</MenuItem>
                </TextField>
                {preview.error ? <Alert severity="error">{preview.error}</Alert> : null}
                {preview.times.length ? (
                  <Box data-testid="next-times">
                    <Typography variant="subtitle2">Next times</Typography>
                    {preview.times.map((time) => (
                      <Typography key={time} variant="body2" data-time={time}>
                        {when(time)}
                      </Typography>
                    ))}
                  </Box>
                ) : null}
              </>
            ) : null}
            <Box>
              <Button
                variant="contained"
                onClick={() => void save()}
                disabled={saving || !name || !sessionName}
              >
                Save
              </Button>
            </Box>
          </Stack>
        </CardContent>
      </Card>
    </Box>
  );
}
