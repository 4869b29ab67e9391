import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The admin is served by the Minke server at `/`; `npm run dev` proxies the API to a running
// `minke start` (MINKE_DEV_API, default http://127.0.0.1:8000).
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: {
    proxy: { '/api': process.env.MINKE_DEV_API ?? 'http://127.0.0.1:8000' },
  },
});
