import type { ReactNode } from 'react';
import { Alert, Card, CardContent, CardHeader, LinearProgress, Typography } from '@mui/material';
import { Title } from 'react-admin';
import { ApiTable, type ApiTableProps } from './api-table.js';
import { PageColumn } from './page-column.js';

/** What a list needs to know of its request (an `ApiQuery` from `useApiQuery` fits). */
export interface ListRequest {
  loading: boolean;
  /** Already in the page's words: the API client rewords the server's CLI terms. */
  error: string | undefined;
}

export interface ApiListProps<Row> extends Omit<ApiTableProps<Row>, 'rows'> {
  request: ListRequest;
  /** The rows of the last reply; undefined until the first one arrives. */
  rows: readonly Row[] | undefined;
  /** What an empty list says: where the first row comes from, not just "nothing". */
  empty: ReactNode;
}

/**
 * Rows from an API with the states around them: a bar while a request runs (the last rows stay,
 * so the table does not blink), the error, the empty state's lead, else the table.
 */
export function ApiList<Row>({ request, rows, empty, ...table }: ApiListProps<Row>) {
  return (
    <>
      {request.loading ? <LinearProgress /> : null}
      {request.error ? <Alert severity="error">{request.error}</Alert> : null}
      {rows?.length === 0 && !request.error ? (
        <Typography variant="body2" component="div" sx={{ mt: 1 }}>
          {empty}
        </Typography>
      ) : null}
      {rows?.length ? <ApiTable rows={rows} {...table} /> : null}
    </>
  );
}

export interface ApiListCardProps<Row> extends ApiListProps<Row> {
  /** The card's own heading, with a line under it and actions on its right. */
  heading?: ReactNode;
  subheader?: string;
  actions?: ReactNode;
  /** Filters and notices above the list. */
  toolbar?: ReactNode;
  /** Dialogs and notes under the list, inside its card. */
  children?: ReactNode;
}

/** A card that lists rows from an API, under its heading and toolbar. */
export function ApiListCard<Row>(props: ApiListCardProps<Row>) {
  const { heading, subheader, actions, toolbar, children, ...list } = props;
  return (
    <Card>
      {heading ? <CardHeader title={heading} subheader={subheader} action={actions} /> : null}
      <CardContent>
        {toolbar}
        <ApiList {...list} />
        {children}
      </CardContent>
    </Card>
  );
}

export interface ApiListPageProps<Row> extends ApiListCardProps<Row> {
  /** The app bar's title. */
  title: string;
  /** Cards after the list's card (a chart of the chosen row). */
  after?: ReactNode;
  pageTestId?: string;
}

/** A page that lists rows from an API: the title, the list's card, more cards under it. */
export function ApiListPage<Row>({ title, after, pageTestId, ...card }: ApiListPageProps<Row>) {
  return (
    <PageColumn testId={pageTestId}>
      <Title title={title} />
      <ApiListCard {...card} />
      {after}
    </PageColumn>
  );
}
