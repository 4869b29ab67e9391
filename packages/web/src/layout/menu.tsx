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
import PolicyIcon from '@mui/icons-material/Policy';
import SyncIcon from '@mui/icons-material/Sync';
import NotificationsIcon from '@mui/icons-material/Notifications';
import EventRepeatIcon from '@mui/icons-material/EventRepeat';
import ScheduleIcon from '@mui/icons-material/Schedule';
import { Menu, useGetResourceLabel, usePermissions, useResourceDefinitions } from 'react-admin';
import type { Me } from '@minke/contract';
import { SYSTEM_RESOURCES } from '../data/data-provider.js';

/** The side menu: the dashboard, a model per entry (Host first), then the pages the user may open. */
export function MinkeMenu() {
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
      {permissions?.isSuperuser ||
      permissions?.permissions.some((p) => p === 'view_jobs' || p === 'manage_jobs') ? (
        <>
          <Menu.Item to="/jobs" primaryText="Jobs" leftIcon={<EventRepeatIcon />} />
          <Menu.Item to="/schedules" primaryText="Schedules" leftIcon={<ScheduleIcon />} />
        </>
      ) : null}
      {resources.Host ? (
        <>
          <Menu.Item to="/agents" primaryText="Agents" leftIcon={<SensorsIcon />} />
          <Menu.Item to="/fact-search" primaryText="Fact search" leftIcon={<ManageSearchIcon />} />
          <Menu.Item to="/policies" primaryText="Policies" leftIcon={<PolicyIcon />} />
        </>
      ) : null}
      {resources.Host?.hasCreate ? (
        <>
          <Menu.Item to="/import-hosts" primaryText="Import hosts" leftIcon={<UploadFileIcon />} />
          <Menu.Item to="/inventory" primaryText="Inventory sources" leftIcon={<SyncIcon />} />
        </>
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
          <Menu.Item
            to="/notifications"
            primaryText="Notifications"
            leftIcon={<NotificationsIcon />}
          />
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
