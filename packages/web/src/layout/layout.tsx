import { useState, type ReactNode } from 'react';
import {
  AppBar,
  Layout as RaLayout,
  LoadingIndicator,
  Logout,
  ToggleThemeButton,
  UserMenu,
} from 'react-admin';
import { useNavigate } from 'react-router-dom';
import { IconButton, Tooltip } from '@mui/material';
import KeyboardIcon from '@mui/icons-material/Keyboard';
import { ChangePasswordMenuItem } from '../admin/change-password.js';
import { useProjectTitle } from './brand.js';
import { globalStyles } from './global-styles.js';
import { useKeyboardShortcuts } from './keyboard-shortcuts.js';
import { MinkeMenu } from './menu.js';
import { ShortcutsHelp } from './shortcuts-help.js';

/**
 * The app bar's tools: the keyboard shortcuts (`?`, also a button for those who do not guess the
 * key), the light/dark toggle (remembered by the browser) and the loading indicator.
 */
function AppBarTools() {
  const navigate = useNavigate();
  const [help, setHelp] = useState(false);
  useKeyboardShortcuts({ navigate: (path) => void navigate(path), showHelp: () => setHelp(true) });
  return (
    <>
      <Tooltip title="Keyboard shortcuts (?)">
        <IconButton
          color="inherit"
          onClick={() => setHelp(true)}
          aria-label="Keyboard shortcuts"
          data-testid="shortcuts-button"
        >
          <KeyboardIcon />
        </IconButton>
      </Tooltip>
      <ToggleThemeButton />
      <LoadingIndicator />
      <ShortcutsHelp open={help} onClose={() => setHelp(false)} />
    </>
  );
}

function MinkeAppBar() {
  return (
    <AppBar
      toolbar={<AppBarTools />}
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
  useProjectTitle();
  return (
    // react-admin sizes the page to fit its widest content; wide lists scroll in their card
    <RaLayout menu={MinkeMenu} appBar={MinkeAppBar} sx={{ minWidth: 0 }}>
      {globalStyles}
      {children}
    </RaLayout>
  );
}
