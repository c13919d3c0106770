import { connect, createServer, type Socket } from 'node:net';

/**
 * Several API processes behind one address, as a load balancer puts replicas behind a Service: each
 * TCP connection goes to the next upstream in turn. HTTP keep-alive keeps a connection on the API it
 * was given, so the spread is per connection, as with a layer-4 balancer.
 */
export interface RoundRobinProxy {
  url: string;
  /** Connections handed to each upstream, in the order the upstreams were given. */
  connections(): number[];
  close(): Promise<void>;
}

export async function startRoundRobinProxy(upstreams: string[]): Promise<RoundRobinProxy> {
  if (upstreams.length === 0) throw new Error('round-robin proxy: no upstream');
  const targets = upstreams.map((url) => new URL(url));
  const counts = targets.map(() => 0);
  const open = new Set<Socket>();
  let next = 0;
  const server = createServer((client) => {
    const index = next++ % targets.length;
    counts[index]! += 1;
    const target = targets[index]!;
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
    }
    // Either side failing or closing ends the pair: the HTTP client sees a reset, never a hang.
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('round-robin proxy: no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections: () => [...counts],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
