import type { ReactNode } from 'react';
import { Card, CardContent, Typography } from '@mui/material';

/**
 * The card an empty page shows instead of its list: what is missing, what to do first, and the
 * buttons or links that do it (`children`).
 */
export function FirstStepsCard({
  title,
  text,
  testId,
  children,
}: {
  title: string;
  text: ReactNode;
  testId: string;
  children?: ReactNode;
}) {
  return (
    <Card sx={{ mt: 2, maxWidth: 560, mx: 'auto' }} data-testid={testId}>
      <CardContent>
        <Typography variant="h6" gutterBottom>
          {title}
        </Typography>
        <Typography variant="body2" sx={{ mb: 2 }}>
          {text}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}
