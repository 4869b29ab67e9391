import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * Helmet's headers with a Content-Security-Policy the web admin and the API docs live with:
 * scripts and styles from this origin only (inline styles allowed: the React admin's component
 * library injects them), images and fonts from this origin or `data:`, and no
 * `upgrade-insecure-requests`, which would break a plain-HTTP install on a LAN address.
 */
export const securityHeaders: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
    },
  },
  // Same-origin pages only; the admin embeds nothing from elsewhere.
  crossOriginEmbedderPolicy: false,
};
