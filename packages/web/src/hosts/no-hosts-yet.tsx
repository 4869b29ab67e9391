import { Box, Button } from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import { Link } from 'react-router-dom';
import { FirstStepsCard } from '../layout/first-steps-card.js';

/** The empty host list: what to do first, with the two ways to do it. */
export function NoHostsYet({ canAdd }: { canAdd: boolean }) {
  return (
    <FirstStepsCard
      title="No hosts yet"
      text={
        canAdd
          ? 'Import your ~/.ssh/config or add one.'
          : 'Someone who may add hosts can import an ~/.ssh/config or add them one by one.'
      }
      testId="no-hosts"
    >
      {canAdd ? (
        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
          <Button
            component={Link}
            to="/import-hosts"
            variant="contained"
            startIcon={<UploadFileIcon />}
          >
            Import ~/.ssh/config
          </Button>
          <Button component={Link} to="/Host/create" variant="outlined" startIcon={<AddIcon />}>
            Add a host
          </Button>
        </Box>
      ) : null}
    </FirstStepsCard>
  );
}
