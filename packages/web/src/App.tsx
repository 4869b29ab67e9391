import { Admin, CustomRoutes, Resource, type RaRecord } from 'react-admin';
import type { ComponentType, ReactElement } from 'react';
import { Route } from 'react-router-dom';
import StorageIcon from '@mui/icons-material/Storage';
import DnsIcon from '@mui/icons-material/Dns';
import { ApiError } from './api/http.js';
import { getModels } from './api/metadata.js';
import type { Me, ModelMeta } from '@minke/contract';
import { authProvider, hasPermission } from './auth/auth-provider.js';
import { dataProvider } from './data/data-provider.js';
import { Dashboard } from './dashboard/dashboard.js';
import { HostImport } from './hosts/host-import.js';
import { HostKeysPage } from './hosts/host-keys-page.js';
import { HostLocksPage } from './host-locks/host-locks-page.js';
import { AgentPage } from './agents/agent-page.js';
import { AgentsPage } from './agents/agents-page.js';
import { FactSearchPage } from './facts/fact-search-page.js';
import { NotificationsPage } from './notifications/notifications-page.js';
import { JobEditor, JobEditPage } from './jobs/job-editor.js';
import { JobPage } from './jobs/job-page.js';
import { JobsPage } from './jobs/jobs-page.js';
import { SchedulesPage } from './jobs/schedules-page.js';
import { PoliciesPage } from './policies/policies-page.js';
import { PolicyPage } from './policies/policy-page.js';
import { InventoryPage } from './inventory/inventory-page.js';
import { SessionRecordList } from './history/session-record-list.js';
import { SessionRecordShow } from './history/session-record-show.js';
import { Layout } from './layout/layout.js';
import { darkTheme, lightTheme } from './layout/theme.js';
import { LoadingScreen } from './layout/loading-screen.js';
import { LoginPage } from './auth/login-page.js';
import { ModelCreate, ModelEdit, ModelList, ModelShow } from './models/model-views.js';
import { RunList, RunShow } from './runs/run-pages.js';
import { ChangePasswordPage } from './admin/change-password.js';
import { HostGroupCreate, HostGroupEdit, HostGroupList } from './admin/host-groups.js';
import { TokenCreate, TokenList } from './admin/tokens.js';
import { AuditList } from './audit/audit-list.js';
import { PagePerAddress } from './layout/page-per-address.js';
import {
  CredentialCreate,
  CredentialEdit,
  CredentialList,
} from './credentials/credential-pages.js';
import {
  UserCreate,
  UserEdit,
  UserGroupCreate,
  UserGroupEdit,
  UserGroupList,
  UserList,
} from './admin/users.js';

/** A model's resource: list and show always, create/edit when the user may. */
function modelResource(meta: ModelMeta) {
  return (
    <Resource
      key={meta.name}
      name={meta.name}
      options={{ label: meta.label }}
      icon={meta.name === 'Host' ? DnsIcon : StorageIcon}
      recordRepresentation={(record: RaRecord) =>
        typeof record._label === 'string' ? record._label : `#${String(record.id)}`
      }
      list={<ModelList meta={meta} />}
      show={<ModelShow meta={meta} />}
      {...(meta.permissions.change ? { edit: <ModelEdit meta={meta} /> } : {})}
      {...(meta.permissions.add ? { create: <ModelCreate meta={meta} /> } : {})}
    />
  );
}

/** The resources a user sees only when `allowed`: none otherwise (react-admin hides their menu). */
function onlyIf(allowed: boolean, ...resources: ReactElement[]): ReactElement[] {
  return allowed ? resources : [];
}

/** Resources depend on the user: the models they may view, the admin pages if superuser. */
async function resourcesFor(permissions: Me | undefined) {
  // On the login page react-admin asks too, before anyone is logged in: no resources yet (it asks
  // again after the login), rather than an unhandled 401 in the page.
  const models = await getModels().catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 401) return [];
    throw error;
  });
  const hostMeta = models.find((m) => m.name === 'Host');
  const ordered = [...(hostMeta ? [hostMeta] : []), ...models.filter((m) => m !== hostMeta)];
  return [
    ...ordered.map(modelResource),
    <Resource
      key="session-records"
      name="session-records"
      options={{ label: 'Session history' }}
      list={SessionRecordList}
      show={SessionRecordShow}
      recordRepresentation={(r: RaRecord) => `#${String(r.id)}`}
    />,
    <Resource key="runs" name="runs" list={RunList} show={RunShow} />,
    ...onlyIf(
      hostMeta !== undefined,
      <Resource
        key="host-groups"
        name="host-groups"
        options={{ label: 'Host groups' }}
        list={<HostGroupList canChange={hostMeta?.permissions.change} />}
        {...(hostMeta?.permissions.change ? { create: HostGroupCreate, edit: HostGroupEdit } : {})}
        recordRepresentation="name"
      />,
    ),
    <Resource
      key="tokens"
      name="tokens"
      options={{ label: 'API tokens' }}
      list={TokenList}
      create={TokenCreate}
    />,
    ...onlyIf(
      hasPermission(permissions, 'manage_credentials'),
      <Resource
        key="credentials"
        name="credentials"
        list={CredentialList}
        create={CredentialCreate}
        edit={CredentialEdit}
        recordRepresentation="name"
      />,
    ),
    ...onlyIf(
      hasPermission(permissions, 'view_audit'),
      <Resource key="audit" name="audit" options={{ label: 'Audit log' }} list={AuditList} />,
    ),
    ...onlyIf(
      permissions?.isSuperuser === true,
      <Resource
        key="users"
        name="users"
        list={UserList}
        create={UserCreate}
        edit={UserEdit}
        recordRepresentation="username"
      />,
      <Resource
        key="user-groups"
        name="user-groups"
        options={{ label: 'User groups' }}
        list={UserGroupList}
        create={UserGroupCreate}
        edit={UserGroupEdit}
        recordRepresentation="name"
      />,
    ),
  ];
}

/**
 * Pages of their own, beside the resources' lists and forms. A page whose path takes a parameter
 * is made anew for each address (`PagePerAddress`), so that nothing of one job shows on another.
 */
const customPages: readonly (readonly [path: string, Page: ComponentType])[] = [
  ['/import-hosts', HostImport],
  ['/inventory', InventoryPage],
  ['/host-keys', HostKeysPage],
  ['/host-locks', HostLocksPage],
  ['/agents', AgentsPage],
  ['/agents/:node', AgentPage],
  ['/fact-search', FactSearchPage],
  ['/policies', PoliciesPage],
  ['/policies/:name', PolicyPage],
  ['/notifications', NotificationsPage],
  ['/jobs', JobsPage],
  ['/jobs/new', JobEditor],
  ['/jobs/:id', JobPage],
  ['/jobs/:id/edit', JobEditPage],
  ['/schedules', SchedulesPage],
  ['/change-password', ChangePasswordPage],
];

export function App() {
  return (
    <Admin
      title="Minke"
      disableTelemetry
      requireAuth
      authProvider={authProvider}
      dataProvider={dataProvider}
      dashboard={Dashboard}
      layout={Layout}
      loginPage={LoginPage}
      loading={LoadingScreen}
      theme={lightTheme}
      darkTheme={darkTheme}
    >
      <CustomRoutes>
        {customPages.map(([path, Page]) => (
          <Route
            key={path}
            path={path}
            element={
              path.includes(':') ? (
                <PagePerAddress>
                  <Page />
                </PagePerAddress>
              ) : (
                <Page />
              )
            }
          />
        ))}
      </CustomRoutes>
      {(permissions: Me | undefined) => resourcesFor(permissions)}
    </Admin>
  );
}
