import { useEffect, useState } from 'react';
import { Alert, MenuItem, TextField } from '@mui/material';
import { api } from '../api/http.js';
import type { ScheduleState } from './job-form-state.js';
import { CheckField } from './check-field.js';
import { NextTimes } from './next-times.js';
import { SwitchedFields } from './switched-fields.js';

/**
 * A job's schedule: cron, time zone, end, switched on or off, what missed and overlapping ticks
 * do, and the next five times the server computes for what is typed (asked again a moment after
 * typing stops). A disabled schedule still shows when it would fire.
 */
export function ScheduleFields({
  value,
  onChange,
}: {
  value: ScheduleState;
  onChange: (next: ScheduleState) => void;
}) {
  const [preview, setPreview] = useState<{ times: string[]; error?: string; ready?: boolean }>({
    times: [],
  });
  const { on, cron, timezone, endAt } = value;
  useEffect(() => {
    if (!on) return;
    // a reply for a cron typed over since is dropped: it would show the old cron's times
    let live = true;
    const timer = setTimeout(() => {
      api<{ nextTimes: string[] }>('/api/schedules/preview', {
        method: 'POST',
        body: { cron, timezone, ...(endAt ? { endAt: new Date(endAt).toISOString() } : {}) },
      }).then(
        (reply) => live && setPreview({ times: reply.nextTimes, ready: true }),
        (error: unknown) => live && setPreview({ times: [], error: (error as Error).message }),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [on, cron, timezone, endAt]);
  const set = (change: Partial<ScheduleState>) => onChange({ ...value, ...change });
  return (
    <SwitchedFields
      testId="schedule-fields"
      name="scheduled"
      label="On a schedule"
      on={value.on}
      onSwitch={(on) => set({ on })}
    >
      <CheckField
        name="schedule-enabled"
        label="Enabled (off: kept, but does not fire)"
        checked={value.enabled}
        onChange={(enabled) => set({ enabled })}
      />
      <TextField
        label="Cron"
        name="cron"
        value={value.cron}
        onChange={(e) => set({ cron: e.target.value })}
        error={preview.error !== undefined}
        helperText={
          preview.error ?? '5 fields (minute hour day month weekday), or 6 with seconds first'
        }
      />
      <TextField
        label="Time zone"
        name="timezone"
        value={value.timezone}
        onChange={(e) => set({ timezone: e.target.value })}
      />
      <TextField
        label="Ends"
        name="endAt"
        type="datetime-local"
        value={value.endAt}
        onChange={(e) => set({ endAt: e.target.value })}
        slotProps={{ inputLabel: { shrink: true } }}
      />
      <TextField
        select
        label="Ticks missed while Minke was down"
        value={value.missed}
        onChange={(e) => set({ missed: e.target.value as ScheduleState['missed'] })}
      >
        <MenuItem value="skip">Skip them</MenuItem>
        <MenuItem value="run-once">Run once</MenuItem>
      </TextField>
      <TextField
        select
        label="A tick while the last run still goes"
        value={value.overlap}
        onChange={(e) => set({ overlap: e.target.value as ScheduleState['overlap'] })}
      >
        <MenuItem value="skip">Skip it, with a note</MenuItem>
        <MenuItem value="queue">Queue it</MenuItem>
      </TextField>
      {preview.times.length ? (
        <NextTimes
          times={preview.times}
          heading={value.enabled ? 'Next times' : 'Next times (when enabled)'}
        />
      ) : null}
      {preview.ready && preview.times.length === 0 ? (
        <Alert severity="info">No time left to fire (past its end).</Alert>
      ) : null}
    </SwitchedFields>
  );
}
