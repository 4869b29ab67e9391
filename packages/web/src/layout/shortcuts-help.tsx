import {
  Box,
  Dialog,
  DialogContent,
  DialogTitle,
  Table,
  TableBody,
  TableCell,
  TableRow,
} from '@mui/material';
import { GO_TO } from './keyboard-shortcuts.js';

function Keys({ keys }: { keys: readonly string[] }) {
  return (
    <>
      {keys.map((key) => (
        <Box
          key={key}
          component="kbd"
          sx={{
            border: 1,
            borderColor: 'divider',
            borderRadius: 1,
            px: 0.75,
            mr: 0.5,
            fontFamily: 'monospace',
          }}
        >
          {key}
        </Box>
      ))}
    </>
  );
}

const ROWS: readonly { keys: readonly string[]; what: string }[] = [
  { keys: ['/'], what: 'Search this list' },
  { keys: ['Esc'], what: 'Close a dialog' },
  ...GO_TO.map((entry) => ({ keys: ['g', entry.key], what: `Go to ${entry.label}` })),
  { keys: ['?'], what: 'Show these shortcuts' },
];

/** The `?` overlay: every keyboard shortcut. */
export function ShortcutsHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} data-testid="shortcuts-help">
      <DialogTitle>Keyboard shortcuts</DialogTitle>
      <DialogContent>
        <Table size="small">
          <TableBody>
            {ROWS.map((row) => (
              <TableRow key={row.keys.join(' ')}>
                <TableCell>
                  <Keys keys={row.keys} />
                </TableCell>
                <TableCell>{row.what}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </DialogContent>
    </Dialog>
  );
}
