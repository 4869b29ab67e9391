import { defaultTheme, type RaThemeOptions } from 'react-admin';

/** The Django admin's blues, on react-admin's default theme. */
export const theme: RaThemeOptions = {
  ...defaultTheme,
  palette: {
    primary: { main: '#417690' },
    secondary: { main: '#264b5d' },
    background: { default: '#f8f8f8' },
  },
  components: {
    ...defaultTheme.components,
    MuiAppBar: { styleOverrides: { colorSecondary: { backgroundColor: '#264b5d' } } },
  },
};
