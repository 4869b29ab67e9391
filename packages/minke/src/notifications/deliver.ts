import type { NotificationChannel } from '@minke/contract';
import { secretOf, type CredentialPasswords } from './channel-secret.js';
import { sendEmail } from './channels/send-email.js';
import { postJson, SIGNATURE_HEADER, signatureOf } from './channels/send-webhook.js';
import { chatTextOf, htmlOf, type NotificationMessage } from './notification-message.js';

/** One attempt to tell a channel; throws with what went wrong (retried by the sender). */
export async function deliver(
  channel: NotificationChannel,
  message: NotificationMessage,
  ids: { deliveryId: number },
  passwords: CredentialPasswords,
): Promise<void> {
  switch (channel.kind) {
    case 'webhook': {
      const body = JSON.stringify(message);
      const headers: Record<string, string> = {
        'X-Minke-Event': message.event,
        'X-Minke-Delivery': String(ids.deliveryId),
      };
      if (channel.secret)
        headers[SIGNATURE_HEADER] = signatureOf(await secretOf(channel.secret, passwords), body);
      return postJson(channel.url, body, headers);
    }
    case 'chat': {
      const url =
        typeof channel.url === 'string' ? channel.url : await secretOf(channel.url, passwords);
      return postJson(url, JSON.stringify({ text: chatTextOf(message) }), {});
    }
    case 'email': {
      const password = channel.password ? await secretOf(channel.password, passwords) : undefined;
      return sendEmail(channel, password, {
        subject: message.subject,
        text: message.text + (message.run?.url ? `\n\n${message.run.url}` : ''),
        html: htmlOf(message),
      });
    }
  }
}
