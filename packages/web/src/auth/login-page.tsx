import { Login, LoginForm } from 'react-admin';
import { BrandMark, useProjectTitle } from '../layout/brand.js';

/** The login page: Minke's mark and the project's name above the form; the tab names both. */
export function LoginPage() {
  const project = useProjectTitle('Log in');
  return (
    <Login
      sx={{
        backgroundImage: 'none',
        bgcolor: 'background.default',
        '& .RaLogin-avatar': { display: 'none' },
        '& .RaLogin-card': { pt: 3, maxWidth: 'calc(100vw - 16px)' },
      }}
    >
      <BrandMark project={project} />
      <LoginForm />
    </Login>
  );
}
