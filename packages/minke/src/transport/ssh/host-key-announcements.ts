/** The part of ssh2's Client this reaches into: its protocol's message handlers (ssh2 1.x). */
interface GlobalRequestHandlers {
  GLOBAL_REQUEST?: (
    protocol: { requestSuccess(): void },
    name: string,
    wantReply: boolean,
    data: unknown,
  ) => void;
}

const ANNOUNCEMENT = 'hostkeys-00@openssh.com';

/**
 * Lets an OpenSSH server's announcement of its host keys pass without asking it to prove them.
 *
 * After login, sshd announces every host key it has (`hostkeys-00@openssh.com`, what OpenSSH's
 * UpdateHostKeys learns from). ssh2 answers each announcement by asking the server to prove
 * every key (`hostkeys-prove-00@openssh.com`): the server signs with each of its host keys and
 * the client checks each signature. That is a round trip and a signature per key on both
 * machines, on every connection, for keys Minke never learns: the keys it trusts come from the
 * host key book or known_hosts only. The announcement is acknowledged when the server wants a
 * reply and otherwise ignored, as OpenSSH's own client does with UpdateHostKeys off; every other
 * global request goes to ssh2's handler as before.
 *
 * Call it right after `client.connect()` (which creates the protocol). Returns false when the
 * client is not ssh2's or its ssh2 has no such handler, leaving its behaviour as it is.
 */
export function skipHostKeyProofs(client: object): boolean {
  const handlers = (client as unknown as { _protocol?: { _handlers?: GlobalRequestHandlers } })
    ._protocol?._handlers;
  const ssh2Handler = handlers?.GLOBAL_REQUEST;
  if (!handlers || typeof ssh2Handler !== 'function') return false;
  handlers.GLOBAL_REQUEST = (protocol, name, wantReply, data) => {
    if (name !== ANNOUNCEMENT) return ssh2Handler(protocol, name, wantReply, data);
    if (wantReply) protocol.requestSuccess();
  };
  return true;
}
