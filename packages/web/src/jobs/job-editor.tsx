import { useMemo, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  CardHeader,
  Checkbox,
  Divider,
  FormControlLabel,
  LinearProgress,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { Title, useNotify, usePermissions } from 'react-admin';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
  jobName,
  type ChannelInfo,
  type JobChangeBody,
  type JobDetail,
  type JobSelection,
  type Me,
  type NewJobBody,
  type SessionMeta,
} from '@minke/contract';
import { api } from '../api/http.js';
import { useApiQuery } from '../facts/use-api-query.js';
import { formFields, type FieldSpec } from '../schema-form/form-fields.js';
import { BatchFields } from './batch-fields.js';
import {
  batchErrors,
  batchPolicyOf,
  batchStateOf,
  ruleErrors,
  rulesOf,
  scheduleStateOf,
  type RuleState,
} from './job-form-state.js';
import { NotifyRulesFields } from './notify-rules-fields.js';
import { ScheduleFields } from './schedule-fields.js';

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

/** A saved value as its input shows it (JSON for objects and lists). */
function inputOf(value: unknown): string | boolean {
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** Ids as typed ("3, 7, web-1"): numbers where they are numbers (record ids), else names. */
function idsOf(text: string): (number | string)[] {
  return text
    .split(/[\s,]+/)
    .filter((id) => id !== '')
    .map((id) => (/^\d+$/.test(id) ? Number(id) : id));
}

/** `#/jobs/new`: a new saved job. */
export function JobEditor() {
  return <JobForm />;
}

/** `#/jobs/:id/edit`: the same editor on a saved job, its fields as saved. */
export function JobEditPage() {
  const { id } = useParams();
  const job = useApiQuery<JobDetail>(`/api/jobs/${id ?? ''}`);
  if (job.error) return <Alert severity="error">{job.error}</Alert>;
  if (!job.data) return <LinearProgress />;
  return <JobForm key={job.data.id} job={job.data} />;
}

/**
 * A saved job's editor: its session and model, the objects as a where (with a live count of what
 * matches now), ids or all, the form (secret fields from a credential or asked at launch), the
 * batch policy, a schedule with its next five times, and the job's own notification rules. New
 * jobs are POSTed, saved ones PATCHed (the server audits the change and checks `manage_jobs`).
 */
function JobForm({ job }: { job?: JobDetail }) {
  const notify = useNotify();
  const navigate = useNavigate();
  const { permissions } = usePermissions<Me>();
  const sessions = useApiQuery<SessionMeta[]>('/api/sessions');
  // Only superusers may list channels; others type a channel's name.
  const channels = useApiQuery<{ items: ChannelInfo[] }>(
    permissions?.isSuperuser === true ? '/api/notifications/channels' : null,
  );
  const [name, setName] = useState(job?.name ?? '');
  const [description, setDescription] = useState(job?.description ?? '');
  const [sessionName, setSessionName] = useState(job?.session ?? '');
  const [model, setModel] = useState(job?.model ?? '');
  const [kind, setKind] = useState<JobSelection['kind']>(job?.selection.kind ?? 'where');
  const [where, setWhere] = useState(job?.selection.kind === 'where' ? job.selection.where : '');
  const [ids, setIds] = useState(job?.selection.kind === 'ids' ? job.selection.ids.join(', ') : '');
  const [values, setValues] = useState<Record<string, string | boolean>>(() =>
    Object.fromEntries(Object.entries(job?.data ?? {}).map(([k, v]) => [k, inputOf(v)])),
  );
  const [secrets, setSecrets] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      Object.entries(job?.secrets ?? {}).map(([k, source]) => [
        k,
        source === 'ask' ? '(ask)' : source.credential,
      ]),
    ),
  );
  const [schedule, setSchedule] = useState(() => scheduleStateOf(job?.schedule ?? null));
  const [batch, setBatch] = useState(() => batchStateOf(job?.batch ?? null));
  const [rules, setRules] = useState<RuleState[]>(() =>
    (job?.notify ?? []).map((rule) => ({ on: [...rule.on], channel: rule.channel })),
  );
  const [saving, setSaving] = useState(false);

  const session = sessions.data?.find((s) => s.name === sessionName);
  const fields = useMemo(() => formFields(session?.form), [session]);
  const chosenModel = model || (session?.models.length === 1 ? (session.models[0] ?? '') : '');
  const count = useApiQuery<{ total: number }>(
    chosenModel && (kind === 'all' || (kind === 'where' && where.trim() !== ''))
      ? `/api/records/${encodeURIComponent(chosenModel)}`
      : null,
    kind === 'where' ? { where, limit: 1 } : { limit: 1 },
  );
  const batchProblems = batchErrors(batch);
  const ruleProblems = ruleErrors(rules);
  // A new job's name, checked as the API checks it (a saved job keeps its name).
  const nameProblem =
    job || name === '' ? undefined : jobName.safeParse(name).error?.issues[0]?.message;
  const valid =
    nameProblem === undefined &&
    Object.keys(batchProblems).length === 0 &&
    Object.keys(ruleProblems).length === 0;

  const selection = (): JobSelection =>
    kind === 'all'
      ? { kind: 'all' }
      : kind === 'ids'
        ? { kind: 'ids', ids: idsOf(ids) }
        : { kind: 'where', where };

  const save = async () => {
    const batchPolicy = batchPolicyOf(batch);
    if (batchPolicy === undefined || !valid) return;
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
    const change = {
      description,
      session: sessionName,
      ...(chosenModel ? { model: chosenModel } : {}),
      selection: selection(),
      data,
      secrets: secretSources,
      batch: batchPolicy,
      notify: rulesOf(rules),
      schedule: schedule.on
        ? {
            cron: schedule.cron,
            timezone: schedule.timezone,
            endAt: schedule.endAt ? new Date(schedule.endAt).toISOString() : null,
            enabled: schedule.enabled,
            missed: schedule.missed,
            overlap: schedule.overlap,
          }
        : null,
    } satisfies JobChangeBody;
    try {
      const saved = job
        ? await api<JobDetail>(`/api/jobs/${job.id}`, { method: 'PATCH', body: change })
        : await api<JobDetail>('/api/jobs', {
            method: 'POST',
            body: { ...change, name } satisfies NewJobBody,
          });
      notify(`Saved job ${saved.name}`, { type: 'info' });
      void navigate(`/jobs/${saved.id}`);
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setSaving(false);
    }
  };

  const title = job ? `Edit job ${job.name}` : 'New job';
  return (
    <Box sx={{ mt: 2 }} data-testid="job-editor">
      <Title title={title} />
      <Card>
        <CardHeader title={title} />
        <CardContent>
          <Stack spacing={2} sx={{ maxWidth: 720 }}>
            <TextField
              label="Name"
              name="name"
              value={name}
              disabled={job !== undefined}
              onChange={(e) => setName(e.target.value)}
              error={nameProblem !== undefined}
              helperText={
                job
                  ? 'a job keeps its name'
                  : (nameProblem ?? 'lower-case letters, digits, . _ and -')
              }
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
              value={sessions.data ? sessionName : ''}
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
              onChange={(e) => setKind(e.target.value as JobSelection['kind'])}
            >
              <MenuItem value="where">Those matching a filter, at each launch</MenuItem>
              <MenuItem value="ids">These ids (host names for hosts)</MenuItem>
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
            {kind === 'ids' ? (
              <TextField
                label="Ids"
                name="ids"
                value={ids}
                onChange={(e) => setIds(e.target.value)}
                helperText="separated by commas or spaces"
              />
            ) : null}
            {count.data && chosenModel && kind !== 'ids' ? (
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
            <Divider />
            <BatchFields value={batch} errors={batchProblems} onChange={setBatch} />
            <Divider />
            <ScheduleFields value={schedule} onChange={setSchedule} />
            <Divider />
            <NotifyRulesFields
              rules={rules}
              errors={ruleProblems}
              channels={channels.data?.items}
              onChange={setRules}
            />
            <Stack direction="row" spacing={1}>
              <Button
                variant="contained"
                onClick={() => void save()}
                disabled={saving || !name || !sessionName || !valid}
              >
                Save
              </Button>
              <Button component={Link} to={job ? `/jobs/${job.id}` : '/jobs'}>
                Cancel
              </Button>
            </Stack>
          </Stack>
        </CardContent>
      </Card>
    </Box>
  );
}
