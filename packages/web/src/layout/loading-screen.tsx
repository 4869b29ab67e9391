import { Box, LinearProgress } from '@mui/material';
import { BrandMark } from './brand.js';

/** What shows while the admin reads who you are and which models you may see. */
export function LoadingScreen() {
  return (
    <Box
      sx={{
        minHeight: '100vh',
        display: 'grid',
        placeItems: 'center',
        bgcolor: 'background.default',
      }}
      data-testid="loading-screen"
    >
      <Box sx={{ width: 240 }}>
        <BrandMark />
        <LinearProgress />
      </Box>
    </Box>
  );
}
