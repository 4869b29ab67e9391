import type { ReactNode } from 'react';
import { Box, Card, CardContent, CardHeader } from '@mui/material';
import { Title } from 'react-admin';

export interface DetailHeaderProps {
  /** The app bar's title ("Job nightly"). */
  title: string;
  /** The object's own name, the card's heading. */
  name: ReactNode;
  /** Chips beside the name (state, outcome). */
  status?: ReactNode;
  /** A line under the name (its description). */
  subheader?: ReactNode;
  /** Buttons on the right (Launch, Run session on these). */
  actions?: ReactNode;
  /** What the object is (its condition, its session), under the heading. */
  children?: ReactNode;
}

/** The first card of an object's page: its name and status, a line about it, its actions. */
export function DetailHeader(props: DetailHeaderProps) {
  const name = props.status ? (
    <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
      {props.name}
      {props.status}
    </Box>
  ) : (
    props.name
  );
  return (
    <>
      <Title title={props.title} />
      <Card>
        <CardHeader title={name} subheader={props.subheader} action={props.actions} />
        {props.children ? <CardContent>{props.children}</CardContent> : null}
      </Card>
    </>
  );
}
