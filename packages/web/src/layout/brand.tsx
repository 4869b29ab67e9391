import { useEffect } from 'react';
import { Box, Typography } from '@mui/material';
import WavesIcon from '@mui/icons-material/Waves';
import type { BrandReply } from '@minke/contract';
import { api } from '../api/http.js';
import { useLoaded } from '../api/use-loaded.js';

let known: Promise<string | null> | undefined;

/** The project's name (public `GET /api/brand`), asked once per page load; null if unknown. */
function projectName(): Promise<string | null> {
  known ??= api<BrandReply>('/api/brand').then(
    (brand) => brand.project,
    () => null,
  );
  return known;
}

/** The browser tab's title: "project · page · Minke" (the project from the server). */
export function useProjectTitle(page?: string): string | null {
  const project = useLoaded(projectName, []).value ?? null;
  useEffect(() => {
    document.title = [project, page, 'Minke'].filter(Boolean).join(' · ');
  }, [project, page]);
  return project;
}

/** Minke's mark and name, with the project's under it: the login page and the loading screen. */
export function BrandMark({ project }: { project?: string | null | undefined }) {
  return (
    <Box sx={{ textAlign: 'center', mb: 1 }} data-testid="brand">
      <Box
        sx={{
          width: 56,
          height: 56,
          mx: 'auto',
          borderRadius: '50%',
          bgcolor: 'primary.main',
          color: 'primary.contrastText',
          display: 'grid',
          placeItems: 'center',
        }}
      >
        <WavesIcon fontSize="large" />
      </Box>
      <Typography variant="h5" sx={{ mt: 1, fontWeight: 600, letterSpacing: 1 }}>
        Minke
      </Typography>
      {project ? (
        <Typography variant="body2" color="text.secondary" data-testid="brand-project">
          {project}
        </Typography>
      ) : null}
    </Box>
  );
}
