import { defaultTheme, type RaThemeOptions } from 'react-admin';

/** The Django admin's blues, on react-admin's default theme. */
export const lightTheme: RaThemeOptions = {
  ...defaultTheme,
  palette: {
    mode: 'light',
    primary: { main: '#417690' },
    secondary: { main: '#264b5d' },
    background: { default: '#f8f8f8' },
  },
  components: {
    ...defaultTheme.components,
    MuiAppBar: { styleOverrides: { colorSecondary: { backgroundColor: '#264b5d' } } },
  },
};

/**
 * The same blues for the night: the admin follows the system's setting (prefers-color-scheme)
 * until the app bar's toggle picks one, which the browser remembers.
 */
export const darkTheme: RaThemeOptions = {
  ...defaultTheme,
  palette: {
    mode: 'dark',
    primary: { main: '#79aec8' },
    secondary: { main: '#417690' },
    background: { default: '#121416', paper: '#1c1f22' },
  },
  components: {
    ...defaultTheme.components,
    MuiAppBar: { styleOverrides: { colorSecondary: { backgroundColor: '#1b3440' } } },
  },
};
