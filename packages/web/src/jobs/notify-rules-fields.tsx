import {
  Box,
  Button,
  FormGroup,
  FormHelperText,
  IconButton,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import type { ChannelInfo } from '@minke/contract';
import { EVENT_LABELS, JOB_EVENTS, type RuleState } from './job-form-state.js';
import { CheckField } from './check-field.js';

/**
 * A job's own notification rules (on top of the project's): each rule names events and a
 * channel of the project's config. Superusers pick the channel from the list; others (who may
 * not read the channels) type its name.
 */
export function NotifyRulesFields({
  rules,
  errors,
  channels,
  onChange,
}: {
  rules: RuleState[];
  errors: Record<number, string>;
  /** The project's channels, or undefined when this user may not list them. */
  channels: ChannelInfo[] | undefined;
  onChange: (next: RuleState[]) => void;
}) {
  const change = (index: number, rule: RuleState) =>
    onChange(rules.map((r, i) => (i === index ? rule : r)));
  return (
    <Stack spacing={1} data-testid="notify-rules">
      <Typography variant="subtitle2">Notifications</Typography>
      {rules.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          Only the project&apos;s own rules apply.
        </Typography>
      ) : null}
      {rules.map((rule, index) => (
        <Box
          key={index}
          data-testid={`notify-rule-${index}`}
          sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 1 }}
        >
          <Stack spacing={1}>
            <FormGroup row>
              {JOB_EVENTS.map((event) => (
                <CheckField
                  key={event}
                  small
                  name={`rule-${index}-${event}`}
                  label={EVENT_LABELS[event]}
                  checked={rule.on.includes(event)}
                  onChange={(checked) =>
                    change(index, {
                      ...rule,
                      on: checked ? [...rule.on, event] : rule.on.filter((x) => x !== event),
                    })
                  }
                />
              ))}
            </FormGroup>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <TextField
                select={channels !== undefined}
                size="small"
                sx={{ minWidth: 240 }}
                label="Channel"
                name={`rule-${index}-channel`}
                value={rule.channel}
                onChange={(e) => change(index, { ...rule, channel: e.target.value })}
              >
                {(channels ?? []).map((channel) => (
                  <MenuItem key={channel.name} value={channel.name} data-channel={channel.name}>
                    {channel.name} ({channel.kind})
                  </MenuItem>
                ))}
              </TextField>
              <IconButton
                aria-label="Remove this rule"
                onClick={() => onChange(rules.filter((_, i) => i !== index))}
              >
                <DeleteIcon />
              </IconButton>
            </Stack>
          </Stack>
          {errors[index] ? <FormHelperText error>{errors[index]}</FormHelperText> : null}
        </Box>
      ))}
      <Box>
        <Button
          size="small"
          startIcon={<AddIcon />}
          onClick={() => onChange([...rules, { on: ['run.failed'], channel: '' }])}
        >
          Add a rule
        </Button>
      </Box>
    </Stack>
  );
}
