import { Box, Button, Typography } from '@mui/material';
import type { ModelMeta } from '@minke/contract';
import { Link } from 'react-router-dom';
import { getModels } from '../api/metadata.js';
import { FirstStepsCard } from '../layout/first-steps-card.js';
import { useLoaded } from '../api/use-loaded.js';

/** The model lists where the user finds a Run session button: those with a session they may run. */
function useRunnableModels(): ModelMeta[] | undefined {
  const models = useLoaded(getModels, []);
  if (models.error !== undefined) return [];
  return models.value?.filter((model) => model.sessions.length > 0);
}

/** A link to each list a run starts from; or, with none, who can change that. */
function ModelLinks({ models }: { models: ModelMeta[] }) {
  if (models.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        You may not run any session yet: a superuser can grant you a session's run permission.
      </Typography>
    );
  }
  return (
    <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
      {models.map((model) => (
        <Button
          key={model.name}
          component={Link}
          to={`/${model.name}`}
          variant="outlined"
          size="small"
          data-testid="no-runs-model"
        >
          {model.label}
        </Button>
      ))}
    </Box>
  );
}

/**
 * No run yet: how one starts (select rows in a list, press Run session), with a link to each model
 * list the user may run a session from. A card on the runs page, plain in a dashboard panel.
 */
export function NoRunsYet({ inPanel = false }: { inPanel?: boolean }) {
  const models = useRunnableModels();
  const links = models ? <ModelLinks models={models} /> : null;
  if (inPanel) {
    return (
      <Box data-testid="no-runs">
        <Typography variant="body2" sx={{ mb: 1.5 }}>
          No runs yet: select rows in a list and press <b>Run session</b>.
        </Typography>
        {links}
      </Box>
    );
  }
  return (
    <FirstStepsCard
      title="No runs yet"
      text={
        <>
          Select rows in a list and press <b>Run session</b>. The lists you may run a session from:
        </>
      }
      testId="no-runs"
    >
      {links}
    </FirstStepsCard>
  );
}
