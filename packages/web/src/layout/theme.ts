import { defaultTheme, type RaThemeOptions } from 'react-admin';

/**
 * React-admin's default theme in the admin's blues: the light and the dark theme differ only in
 * their palette and in the app bar's colour.
 */
function bluesTheme(palette: RaThemeOptions['palette'], appBar: string): RaThemeOptions {
  return {
    ...defaultTheme,
    palette,
    components: {
      ...defaultTheme.components,
      MuiAppBar: { styleOverrides: { colorSecondary: { backgroundColor: appBar } } },
    },
  };
}

/** The Django admin's blues, on react-admin's default theme. */
export const lightTheme = bluesTheme(
  {
    mode: 'light',
    primary: { main: '#417690' },
    secondary: { main: '#264b5d' },
    background: { default: '#f8f8f8' },
  },
  '#264b5d',
);

/**
 * The same blues for the night: the admin follows the system's setting (prefers-color-scheme)
 * until the app bar's toggle picks one, which the browser remembers.
 */
export const darkTheme = bluesTheme(
  {
    mode: 'dark',
    primary: { main: '#79aec8' },
    secondary: { main: '#417690' },
    background: { default: '#121416', paper: '#1c1f22' },
  },
  '#1b3440',
);
