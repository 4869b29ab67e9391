import { Box, Button, Card, CardContent, Typography } from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import { Link } from 'react-router-dom';

/** The empty host list: what to do first, with the two ways to do it. */
export function NoHostsYet({ canAdd }: { canAdd: boolean }) {
  return (
    <Card sx={{ mt: 2, maxWidth: 560, mx: 'auto' }} data-testid="no-hosts">
      <CardContent>
        <Typography variant="h6" gutterBottom>
          No hosts yet
        </Typography>
        <Typography variant="body2" sx={{ mb: 2 }}>
          {canAdd
            ? 'Import your ~/.ssh/config or add one.'
            : 'Someone who may add hosts can import an ~/.ssh/config or add them one by one.'}
        </Typography>
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
      </CardContent>
    </Card>
  );
}
