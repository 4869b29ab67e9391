import { useEffect, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  MenuItem,
  Radio,
  RadioGroup,
  TextField,
  Typography,
} from '@mui/material';
import { api } from '../api/http.js';
import type { DispatchReply, RequestStatus, TargetState } from '@minke/contract';

/** How often, and how many times at most, the dialog reads the request's progress. */
const POLL_MS = 1000;
const MAX_POLLS = 120;

type Target = 'nodes' | 'all' | 'where';

const STATE_COLORS: Record<TargetState, 'default' | 'info' | 'success' | 'error' | 'warning'> = {
  pending: 'default',
  delivered: 'info',
  answered: 'success',
  failed: 'error',
  expired: 'warning',
};

export interface DispatchDialogProps {
  open: boolean;
  onClose: () => void;
  /** Plugins the agents advertise, to choose from (any name may be typed too). */
  plugins: readonly string[];
  /** Preselected nodes (a row's Dispatch); none: choose all or a filter. */
  nodes?: readonly string[];
  /** Called when a node answered, so the page can refresh. */
  onAnswered?: () => void;
}

/**
 * Asks agents to run a plugin (POST /api/dispatch), then follows the request node by node until
 * every node answered, failed or expired (or the dialog closes). Mount it when it opens: its
 * form starts from the props each time.
 */
export function DispatchDialog({ open, onClose, plugins, nodes, onAnswered }: DispatchDialogProps) {
  const [plugin, setPlugin] = useState(plugins[0] ?? '');
  const [target, setTarget] = useState<Target>(nodes?.length ? 'nodes' : 'all');
  const [nodeText, setNodeText] = useState((nodes ?? []).join(', '));
  const [where, setWhere] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [sent, setSent] = useState<DispatchReply>();
  const status = useRequestStatus(sent?.id, onAnswered);

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    const chosen =
      target === 'all'
        ? { all: true }
        : target === 'where'
          ? { where }
          : {
              nodes: nodeText
                .split(/[\s,]+/)
                .map((n) => n.trim())
                .filter(Boolean),
            };
    try {
      setSent(
        await api<DispatchReply>('/api/dispatch', {
          method: 'POST',
          body: { plugin, ...chosen },
        }),
      );
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm" data-testid="dispatch-dialog">
      <DialogTitle>Dispatch plugin</DialogTitle>
      <DialogContent>
        {sent ? (
          <SentRequest sent={sent} status={status} />
        ) : (
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2, pt: 1 }}>
            <TextField
              select={plugins.length > 0}
              label="Plugin"
              value={plugin}
              onChange={(event) => setPlugin(event.target.value)}
              size="small"
              slotProps={{ htmlInput: { 'data-testid': 'dispatch-plugin' } }}
            >
              {plugins.map((name) => (
                <MenuItem key={name} value={name} data-plugin={name}>
                  {name}
                </MenuItem>
              ))}
            </TextField>
            <RadioGroup
              row
              value={target}
              onChange={(event) => setTarget(event.target.value as Target)}
            >
              <FormControlLabel value="nodes" control={<Radio />} label="These nodes" />
              <FormControlLabel value="all" control={<Radio />} label="Every agent" />
              <FormControlLabel value="where" control={<Radio />} label="Hosts matching" />
            </RadioGroup>
            {target === 'nodes' ? (
              <TextField
                label="Nodes"
                value={nodeText}
                onChange={(event) => setNodeText(event.target.value)}
                size="small"
                helperText="node or host names, separated by commas"
              />
            ) : null}
            {target === 'where' ? (
              <TextField
                label="Where"
                value={where}
                onChange={(event) => setWhere(event.target.value)}
                size="small"
                placeholder='groups.name = web and facts.os.release = "12"'
              />
            ) : null}
            <Typography variant="caption" color="text.secondary">
              Offline agents get the request when they come back, for up to an hour.
            </Typography>
            {error ? <Alert severity="error">{error}</Alert> : null}
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{sent ? 'Close' : 'Cancel'}</Button>
        {sent ? null : (
          <Button
            variant="contained"
            disabled={busy || plugin === ''}
            onClick={() => void submit()}
            data-testid="dispatch-send"
          >
            Dispatch
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}

function SentRequest({ sent, status }: { sent: DispatchReply; status: RequestStatus | undefined }) {
  const targets =
    status?.targets ?? sent.nodes.map((node) => ({ node, state: 'pending' as const, error: null }));
  return (
    <Box data-testid="dispatch-status" data-request={sent.id}>
      <Typography variant="body2" sx={{ mb: 1 }}>
        Request <code>{sent.id}</code>: {sent.plugin} for {sent.nodes.length} node(s).
      </Typography>
      {sent.skipped.length > 0 ? (
        <Alert severity="warning" sx={{ mb: 1 }}>
          No agent on: {sent.skipped.join(', ')}
        </Alert>
      ) : null}
      {targets.map((t) => (
        <Box
          key={t.node}
          sx={{ display: 'flex', gap: 1, alignItems: 'center', mb: 0.5 }}
          data-node={t.node}
        >
          <Chip size="small" label={t.state} color={STATE_COLORS[t.state]} data-state={t.state} />
          <span>{t.node}</span>
          {t.error ? (
            <Typography variant="caption" color="error">
              {t.error}
            </Typography>
          ) : null}
        </Box>
      ))}
    </Box>
  );
}

/** Reads a request's progress every second until it is done (at most two minutes). */
function useRequestStatus(
  id: string | undefined,
  onAnswered: (() => void) | undefined,
): RequestStatus | undefined {
  const [status, setStatus] = useState<RequestStatus>();
  useEffect(() => {
    setStatus(undefined);
    if (id === undefined) return;
    let live = true;
    let answered = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (round: number) => {
      try {
        const next = await api<RequestStatus>(`/api/dispatch/${encodeURIComponent(id)}`);
        if (!live) return;
        setStatus(next);
        const now = next.targets.filter((t) => t.state === 'answered').length;
        if (now > answered) onAnswered?.();
        answered = now;
        if (next.state === 'done') return;
      } catch {
        // a lost reply: the next round asks again
      }
      if (live && round < MAX_POLLS) timer = setTimeout(() => void poll(round + 1), POLL_MS);
    };
    void poll(1);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, onAnswered]);
  return status;
}
