import type { ReactNode } from 'react';
import { Card, CardContent, CardHeader } from '@mui/material';

/** One dashboard card; two or three to a row on a wide screen, one on a phone. */
export function Panel({
  title,
  children,
  testId,
  wide = false,
}: {
  title: string;
  children: ReactNode;
  testId: string;
  wide?: boolean;
}) {
  return (
    <Card
      sx={{ flex: wide ? '2 1 560px' : '1 1 360px', minWidth: { xs: '100%', sm: 320 } }}
      data-testid={testId}
    >
      <CardHeader title={title} slotProps={{ title: { variant: 'subtitle1' } }} />
      <CardContent sx={{ pt: 0 }}>{children}</CardContent>
    </Card>
  );
}
