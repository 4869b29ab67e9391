import { useMemo, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  CardHeader,
  Divider,
  LinearProgress,
  Stack,
  TextField,
} from '@mui/material';
import { Title, useNotify, usePermissions } from 'react-admin';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
  jobName,
  type ChannelInfo,
  type JobChangeBody,
  type JobDetail,
  type Me,
  type NewJobBody,
  type SessionMeta,
} from '@minke/contract';
import { api } from '../api/http.js';
import { useBusyAction } from '../api/use-busy-action.js';
import { useApiQuery } from '../facts/use-api-query.js';
import { RunLimitFields } from '../runs/time-limit-field.js';
import { useRunLimits } from '../runs/use-run-limits.js';
import { formFields } from '../schema-form/form-fields.js';
import { BatchFields } from './batch-fields.js';
import { formValuesOf, jobDataOf, secretInputsOf } from './job-data.js';
import { JobDataFields } from './job-data-fields.js';
import {
  batchErrors,
  batchPolicyOf,
  batchStateOf,
  ruleErrors,
  rulesOf,
  scheduleOf,
  scheduleStateOf,
  timeLimitStateOf,
  type RuleState,
} from './job-form-state.js';
import {
  chosenModelOf,
  JobTargetFields,
  selectionOf,
  targetStateOf,
  type TargetState,
} from './job-target-fields.js';
import { NotifyRulesFields } from './notify-rules-fields.js';
import { ScheduleFields } from './schedule-fields.js';

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
 * matches now), ids or all, the form (secret fields from a credential or asked at launch), its
 * launches' time limit per object, the batch policy, a schedule with its next five times, and
 * the job's own notification rules. New jobs are POSTed, saved ones PATCHed (the server audits
 * the change and checks `manage_jobs`).
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
  const [target, setTarget] = useState(() => targetStateOf(job));
  const [values, setValues] = useState(() => formValuesOf(job?.data));
  const [secrets, setSecrets] = useState(() => secretInputsOf(job?.secrets));
  const [schedule, setSchedule] = useState(() => scheduleStateOf(job?.schedule ?? null));
  const [batch, setBatch] = useState(() => batchStateOf(job?.batch ?? null));
  const limits = useRunLimits(
    timeLimitStateOf(job?.timeoutMs ?? null),
    timeLimitStateOf(job?.runTimeoutMs ?? null),
  );
  const [rules, setRules] = useState<RuleState[]>(() =>
    (job?.notify ?? []).map((rule) => ({ on: [...rule.on], channel: rule.channel })),
  );
  const saving = useBusyAction();

  const session = sessions.data?.find((s) => s.name === target.session);
  const fields = useMemo(() => formFields(session?.form), [session]);
  const chosenModel = chosenModelOf(target, session);
  const batchProblems = batchErrors(batch);
  const ruleProblems = ruleErrors(rules);
  const { timeoutMs, runTimeoutMs } = limits;
  // A new job's name, checked as the API checks it (a saved job keeps its name).
  const nameProblem =
    job || name === '' ? undefined : jobName.safeParse(name).error?.issues[0]?.message;
  const valid =
    nameProblem === undefined &&
    timeoutMs !== undefined &&
    runTimeoutMs !== undefined &&
    Object.keys(batchProblems).length === 0 &&
    Object.keys(ruleProblems).length === 0;

  const changeTarget = (next: TargetState) => {
    // Another session has another form: what was typed for the last one does not carry over.
    if (next.session !== target.session) {
      setValues({});
      setSecrets({});
    }
    setTarget(next);
  };

  const save = async () => {
    const batchPolicy = batchPolicyOf(batch);
    if (batchPolicy === undefined || timeoutMs === undefined || runTimeoutMs === undefined) return;
    if (!valid) return;
    const change = {
      description,
      session: target.session,
      ...(chosenModel ? { model: chosenModel } : {}),
      selection: selectionOf(target),
      ...jobDataOf(fields, values, secrets),
      batch: batchPolicy,
      timeoutMs,
      runTimeoutMs,
      notify: rulesOf(rules),
      schedule: scheduleOf(schedule),
    } satisfies JobChangeBody;
    await saving.run(async () => {
      const saved = job
        ? await api<JobDetail>(`/api/jobs/${job.id}`, { method: 'PATCH', body: change })
        : await api<JobDetail>('/api/jobs', {
            method: 'POST',
            body: { ...change, name } satisfies NewJobBody,
          });
      notify(`Saved job ${saved.name}`, { type: 'info' });
      void navigate(`/jobs/${saved.id}`);
    });
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
            <JobTargetFields value={target} sessions={sessions.data} onChange={changeTarget} />
            <JobDataFields
              fields={fields}
              values={values}
              secrets={secrets}
              onValues={setValues}
              onSecrets={setSecrets}
            />
            <RunLimitFields {...limits.fields} sessionLimitMs={session?.timeoutMs} />
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
                disabled={saving.busy || !name || !target.session || !valid}
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
