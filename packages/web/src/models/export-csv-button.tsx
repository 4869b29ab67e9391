import DownloadIcon from '@mui/icons-material/Download';
import { Button, useListContext, type RaRecord } from 'react-admin';
import type { ModelMeta } from '@minke/contract';
import { withQuery } from '../api/http.js';
import { recordListQuery } from '../data/list-query.js';

/**
 * Downloads every record the list's filters match as CSV, in the list's order. The server writes
 * it (`GET /api/records/:model/export.csv`), not the browser from the page it holds: a list of
 * 10,000 hosts shows 25 at a time, and refs come named (a server's host by its name).
 */
export function ExportCsvButton({ meta }: { meta: ModelMeta }) {
  const list = useListContext<RaRecord>();
  const { sort, total } = list;
  const filter = list.filterValues as Record<string, unknown>;
  const query = recordListQuery({ filter, sort, pagination: false }, meta.fields);
  // A link the browser downloads (the login cookie goes with it), styled as the toolbar's buttons.
  const link = {
    component: 'a' as const,
    href: withQuery(`/api/records/${encodeURIComponent(meta.name)}/export.csv`, query),
    download: true,
  };
  return (
    <Button
      label="Export CSV"
      title="every record the filters match, as CSV"
      disabled={total === 0}
      data-testid="export-csv"
      {...link}
    >
      <DownloadIcon />
    </Button>
  );
}
