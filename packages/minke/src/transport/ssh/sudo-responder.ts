import type { SshChannel } from './ssh-client.js';

/**
 * Answers sudo's password prompt by writing the password to the command's input (never to its
 * command line). Only the first prompt is answered: a second one means the password was wrong,
 * and trying it again would only count towards a lockout. Instead the input is closed (or, on a
 * terminal, interrupted) so that sudo gives up at once.
 */
export class SudoResponder {
  private prompts = 0;

  constructor(
    private readonly channel: Pick<SshChannel, 'write' | 'end'>,
    private readonly password: string | undefined,
    private readonly pty: boolean,
  ) {}

  answer(): void {
    this.prompts += 1;
    if (this.password === undefined) return;
    if (this.prompts === 1) {
      this.channel.write(`${this.password}\n`);
      // Without a terminal the command gets no other input; EOF keeps it from waiting for any.
      if (!this.pty) this.channel.end();
      return;
    }
    if (this.pty) this.channel.write('\x03');
    else this.channel.end();
  }
}
