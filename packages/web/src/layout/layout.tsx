import type { ReactNode } from 'react';
import { GlobalStyles } from '@mui/material';
import HistoryIcon from '@mui/icons-material/History';
import PlayCircleOutlineIcon from '@mui/icons-material/PlayCircleOutlined';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import PeopleIcon from '@mui/icons-material/People';
import GroupsIcon from '@mui/icons-material/Groups';
import FolderIcon from '@mui/icons-material/Folder';
import KeyIcon from '@mui/icons-material/Key';
import LockIcon from '@mui/icons-material/Lock';
import SensorsIcon from '@mui/icons-material/Sensors';
import ManageSearchIcon from '@mui/icons-material/ManageSearch';
import VpnKeyIcon from '@mui/icons-material/VpnKey';
import LockClockIcon from '@mui/icons-material/LockClock';
import FactCheckIcon from '@mui/icons-material/FactCheck';
import {
  AppBar,
  Layout as RaLayout,
  Logout,
  Menu,
  UserMenu,
  useGetResourceLabel,
  usePermissions,
  useResourceDefinitions,
} from 'react-admin';
import type { Me } from '@minke/contract';
import { RESULT_COLORS } from '../runs/status-chip.js';
import { SYSTEM_RESOURCES } from '../data/data-provider.js';
import { ChangePasswordMenuItem } from '../admin/change-password.js';

/**
 * Rows take the colour of their live session, as the original's green/yellow/red rows: the
 * session cell writes `data-live-*` onto its row, so a state change re-renders that one cell,
 * never the table.
 */
const rowColors = (
  <GlobalStyles
    styles={{
      'tr[data-live-result="success"] > td': { backgroundColor: RESULT_COLORS.success },
      'tr[data-live-result="warning"] > td': { backgroundColor: RESULT_COLORS.warning },
      'tr[data-live-result="error"] > td': { backgroundColor: RESULT_COLORS.error },
      'tr[data-live-result="none"] > td': { backgroundColor: RESULT_COLORS.waiting },
      'tr[data-live-state="running"] > td, tr[data-live-state="stopping"] > td': {
        backgroundColor: RESULT_COLORS.running,
      },
      '.minke-proc-info': { color: '#555', fontSize: '0.85em' },
      // wide tables scroll inside their card instead of widening the page
      '.RaLayout-content, .RaList-main, .RaList-root': { minWidth: 0 },
      '.RaList-content': { overflowX: 'auto' },
      '.minke-stop': {
        border: '1px solid #c62828',
        color: '#c62828',
        background: 'white',
        borderRadius: 4,
        cursor: 'pointer',
        fontSize: 12,
        lineHeight: '16px',
        padding: '0 6px',
      },
      '.minke-stop:disabled': { opacity: 0.5, cursor: 'default' },
    }}
  />
);

function MinkeMenu() {
  const resources = useResourceDefinitions();
  const label = useGetResourceLabel();
  const { permissions } = usePermissions<Me>();
  const models = Object.keys(resources).filter((name) => !(name in SYSTEM_RESOURCES));
  return (
    <Menu>
      <Menu.DashboardItem />
      {models.map((name) => (
        <Menu.ResourceItem key={name} name={name} />
      ))}
      <Menu.Item to="/session-records" primaryText="History" leftIcon={<HistoryIcon />} />
      <Menu.Item to="/runs" primaryText="Runs" leftIcon={<PlayCircleOutlineIcon />} />
      {resources.Host ? (
        <>
          <Menu.Item to="/agents" primaryText="Agents" leftIcon={<SensorsIcon />} />
          <Menu.Item to="/fact-search" primaryText="Fact search" leftIcon={<ManageSearchIcon />} />
        </>
      ) : null}
      {resources.Host?.hasCreate ? (
        <Menu.Item to="/import-hosts" primaryText="Import hosts" leftIcon={<UploadFileIcon />} />
      ) : null}
      {resources.Host || permissions?.permissions.includes('trust_host_key') ? (
        <Menu.Item to="/host-keys" primaryText="Host keys" leftIcon={<VpnKeyIcon />} />
      ) : null}
      {resources['host-groups'] ? (
        <Menu.Item
          to="/host-groups"
          primaryText={label('host-groups', 2)}
          leftIcon={<FolderIcon />}
        />
      ) : null}
      <Menu.Item to="/tokens" primaryText="API tokens" leftIcon={<KeyIcon />} />
      {resources.credentials ? (
        <Menu.Item to="/credentials" primaryText="Credentials" leftIcon={<LockIcon />} />
      ) : null}
      {permissions?.isSuperuser ? (
        <>
          <Menu.Item to="/users" primaryText="Users" leftIcon={<PeopleIcon />} />
          <Menu.Item to="/user-groups" primaryText="User groups" leftIcon={<GroupsIcon />} />
          <Menu.Item to="/host-locks" primaryText="Host locks" leftIcon={<LockClockIcon />} />
        </>
      ) : null}
      {resources.audit ? (
        <Menu.Item to="/audit" primaryText="Audit log" leftIcon={<FactCheckIcon />} />
      ) : null}
    </Menu>
  );
}

/** The user menu: change one's own password, log out. */
function MinkeAppBar() {
  return (
    <AppBar
      userMenu={
        <UserMenu>
          <ChangePasswordMenuItem />
          <Logout />
        </UserMenu>
      }
    />
  );
}

export function Layout({ children }: { children: ReactNode }) {
  return (
    // react-admin sizes the page to fit its widest content; wide lists scroll in their card
    <RaLayout menu={MinkeMenu} appBar={MinkeAppBar} sx={{ minWidth: 0 }}>
      {rowColors}
      {children}
    </RaLayout>
  );
}
