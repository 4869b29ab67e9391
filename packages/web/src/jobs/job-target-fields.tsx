import { Alert, MenuItem, TextField, Typography } from '@mui/material';
import type { JobDetail, JobSelection, SessionMeta } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';
import { idsOf } from './job-data.js';

/** What a job runs and on what: its session, model and objects, as the editor holds them. */
export interface TargetState {
  session: string;
  model: string;
  kind: JobSelection['kind'];
  where: string;
  ids: string;
}

export function targetStateOf(job: JobDetail | undefined): TargetState {
  const selection = job?.selection;
  return {
    session: job?.session ?? '',
    model: job?.model ?? '',
    kind: selection?.kind ?? 'where',
    where: selection?.kind === 'where' ? selection.where : '',
    ids: selection?.kind === 'ids' ? selection.ids.join(', ') : '',
  };
}

/** The model the job works on: the one picked, or the session's only one. */
export function chosenModelOf(target: TargetState, session: SessionMeta | undefined): string {
  return target.model || (session?.models.length === 1 ? (session.models[0] ?? '') : '');
}

export function selectionOf(target: TargetState): JobSelection {
  if (target.kind === 'all') return { kind: 'all' };
  if (target.kind === 'ids') return { kind: 'ids', ids: idsOf(target.ids) };
  return { kind: 'where', where: target.where };
}

/**
 * The session, model and objects of a job's editor, with a live count of the objects a filter
 * (or "all") matches now. A new session clears the model (the parent clears the form).
 */
export function JobTargetFields({
  value,
  sessions,
  onChange,
}: {
  value: TargetState;
  sessions: SessionMeta[] | undefined;
  onChange: (value: TargetState) => void;
}) {
  const session = sessions?.find((s) => s.name === value.session);
  const model = chosenModelOf(value, session);
  const counted = value.kind === 'all' || (value.kind === 'where' && value.where.trim() !== '');
  const count = useApiQuery<{ total: number }>(
    model && counted ? `/api/records/${encodeURIComponent(model)}` : null,
    value.kind === 'where' ? { where: value.where, limit: 1 } : { limit: 1 },
  );
  return (
    <>
      <TextField
        select
        label="Session"
        name="session"
        value={sessions ? value.session : ''}
        onChange={(e) => onChange({ ...value, session: e.target.value, model: '' })}
      >
        {(sessions ?? []).map((s) => (
          <MenuItem key={s.name} value={s.name} data-session={s.name}>
            {s.verboseName}
          </MenuItem>
        ))}
      </TextField>
      {session && session.models.length > 1 ? (
        <TextField
          select
          label="Model"
          value={value.model}
          onChange={(e) => onChange({ ...value, model: e.target.value })}
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
        value={value.kind}
        onChange={(e) => onChange({ ...value, kind: e.target.value as JobSelection['kind'] })}
      >
        <MenuItem value="where">Those matching a filter, at each launch</MenuItem>
        <MenuItem value="ids">These ids (host names for hosts)</MenuItem>
        <MenuItem value="all">All of them, at each launch</MenuItem>
      </TextField>
      {value.kind === 'where' ? (
        <TextField
          label="Where"
          name="where"
          value={value.where}
          onChange={(e) => onChange({ ...value, where: e.target.value })}
          helperText='a filter as in minke run --where, e.g. name = "web-1"'
        />
      ) : null}
      {value.kind === 'ids' ? (
        <TextField
          label="Ids"
          name="ids"
          value={value.ids}
          onChange={(e) => onChange({ ...value, ids: e.target.value })}
          helperText="separated by commas or spaces"
        />
      ) : null}
      {count.data && model && value.kind !== 'ids' ? (
        <Typography data-testid="match-count">{count.data.total} object(s) match now</Typography>
      ) : null}
      {count.error ? <Alert severity="warning">{count.error}</Alert> : null}
    </>
  );
}
