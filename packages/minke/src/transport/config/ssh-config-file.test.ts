import { describe, expect, it } from 'vitest';
import { sshOptionsToLayer } from './ssh-config-file.js';

describe('sshOptionsToLayer', () => {
  it('maps the honoured options', () => {
    expect(
      sshOptionsToLayer(
        {
          hostname: '%h.example.com',
          port: '2222',
          user: 'deploy',
          identityfile: ['/keys/%h_%p', 'none'],
          stricthostkeychecking: 'no',
          requesttty: 'force',
          identitiesonly: 'yes',
          serveralivecountmax: '5',
        },
        'web1',
      ),
    ).toEqual({
      hostname: 'web1.example.com',
      port: 2222,
      user: 'deploy',
      identityFiles: ['/keys/web1.example.com_2222'],
      strictHostKeyChecking: 'accept-new',
      pty: true,
      agent: false,
      keepaliveCountMax: 5,
    });
  });

  it('reads IdentityAgent none and ask as the safe choices', () => {
    expect(sshOptionsToLayer({ identityagent: 'none', stricthostkeychecking: 'ask' }, 'h')).toEqual(
      {
        agent: false,
        strictHostKeyChecking: 'yes',
      },
    );
  });
});
