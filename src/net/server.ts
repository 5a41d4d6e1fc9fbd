import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { UserError } from '../core/errors.js';

/**
 * HTTP(S) serving shared by Rampart's servers (`apk serve`, the admission webhook): plain HTTP or TLS
 * from PEM files, listening with a clear error, a printable URL and a close that does not wait for
 * keep-alive clients.
 */

/** PEM files for a TLS server. */
export interface TlsFiles {
  cert: string;
  key: string;
}

export interface ListenOptions {
  /** Default 127.0.0.1: servers bind the loopback address unless told otherwise. */
  host?: string;
  port: number;
  tls?: TlsFiles;
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Reads the certificate chain and private key, as a user error when either cannot be read. */
export function readTlsFiles(tls: TlsFiles): { cert: Buffer; key: Buffer } {
  try {
    return { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
  } catch (error) {
    throw new UserError(`cannot read TLS certificate or key: ${(error as Error).message}`);
  }
}

/** An HTTPS server when TLS files are given, else plain HTTP. */
export function createServer(listener: RequestListener, tls?: TlsFiles): Server {
  return tls ? createHttpsServer(readTlsFiles(tls), listener) : createHttpServer(listener);
}

/** Starts listening; an address in use or not permitted is a user error naming host and port. */
export async function listen(server: Server, options: ListenOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new UserError(`cannot listen on ${host}:${options.port}: ${error.message}`)),
    );
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `${options.tls ? 'https' : 'http'}://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
