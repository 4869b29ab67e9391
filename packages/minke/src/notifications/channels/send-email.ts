import type { NotificationChannel } from '@minke/contract';

type EmailChannel = Extract<NotificationChannel, { kind: 'email' }>;

/** Sends one e-mail over SMTP (STARTTLS when the server offers it, implicit TLS with `secure`). */
export async function sendEmail(
  channel: EmailChannel,
  password: string | undefined,
  mail: { subject: string; text: string; html: string },
): Promise<void> {
  // Loaded by the first e-mail: nodemailer is some 40 modules (650 kB) that every `minke run`
  // read at start, notifications configured or not.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: channel.host,
    port: channel.port ?? (channel.secure ? 465 : 587),
    secure: channel.secure ?? false,
    ...(channel.user ? { auth: { user: channel.user, pass: password ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  try {
    await transport.sendMail({ from: channel.from, to: channel.to, ...mail });
  } finally {
    transport.close();
  }
}
