import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../test-support/wait-for';
import { startEmbeddedBroker } from './index';

describe('startEmbeddedBroker', () => {
  it('serves MQTT on 127.0.0.1 and a free port: QoS 2 and retained messages; close() lets the process exit', async () => {
    const broker = await startEmbeddedBroker();
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    expect(broker.port).toBeGreaterThan(0);
    const a = await connectAsync(broker.url, { reconnectPeriod: 0 });
    await a.publishAsync('plant/area/m/status/state', 'running', { qos: 1, retain: true });
    const b = await connectAsync(broker.url, { reconnectPeriod: 0 });
    const got: string[] = [];
    b.on('message', (topic, payload, packet) => got.push(`${topic} ${payload} ${packet.retain}`));
    await b.subscribeAsync('plant/#', { qos: 2 });
    await a.publishAsync('plant/area/m/command/stop', 'now', { qos: 2 });
    await waitFor(() => got.length === 2, 2_000, 'two messages');
    expect(got).toEqual(['plant/area/m/status/state running true', 'plant/area/m/command/stop now false']);
    expect(broker.connectedClients).toBe(2);
    await broker.close();
    // close() disconnects the clients (they would otherwise keep the process alive).
    await waitFor(() => !a.connected && !b.connected, 2_000, 'clients disconnected');
    await Promise.all([a.endAsync(true), b.endAsync(true)]);
    await broker.close(); // twice is fine
  });

  it('checks credentials when given authenticate; refuses a taken port and bad options clearly', async () => {
    const broker = await startEmbeddedBroker({ authenticate: (u, pw) => u === 'twin' && pw === 'secret' });
    const ok = await connectAsync(broker.url, { username: 'twin', password: 'secret', reconnectPeriod: 0 });
    await ok.endAsync();
    await expect(
      connectAsync(broker.url, { username: 'twin', password: 'nope', reconnectPeriod: 0 }),
    ).rejects.toThrow(/Bad username or password/);
    await expect(startEmbeddedBroker({ port: broker.port })).rejects.toThrow(
      new RegExp(`cannot listen on 127.0.0.1:${broker.port}: EADDRINUSE. Choose another port`),
    );
    await broker.close();
    await expect(startEmbeddedBroker({ port: -1 })).rejects.toThrow(
      /port must be an integer in \[0, 65535\]/,
    );
    await expect(startEmbeddedBroker({ prot: 1 } as never)).rejects.toThrow(
      /unknown option 'prot'.*Did you mean 'port'\?/,
    );
  });
});
