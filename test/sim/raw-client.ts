import { randomBytes } from "node:crypto";
import net from "node:net";

/**
 * A WebSocket client on a bare TCP socket that completes the handshake and then never reads:
 * what the server writes piles up in the kernel and then in the server. It can still send
 * (masked text frames, as RFC 6455 requires of a client).
 */
export class NeverReadingClient {
  private closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on("close", () => (this.closed = true));
    socket.on("error", () => undefined);
  }

  static async connect(url: string): Promise<NeverReadingClient> {
    const { hostname, port } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    socket.write(
      `GET / HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const head = await new Promise<string>((resolve, reject) => {
      socket.once("data", (chunk: Buffer) => resolve(chunk.toString("latin1")));
      socket.once("error", reject);
    });
    if (!head.startsWith("HTTP/1.1 101")) throw new Error(`handshake refused: ${head.slice(0, 40)}`);
    socket.pause();
    return new NeverReadingClient(socket);
  }

  /** Whether the socket is still open as far as this end can tell without reading. */
  get open(): boolean {
    return !this.closed && !this.socket.destroyed;
  }

  send(request: object): void {
    if (!this.open) return;
    const payload = Buffer.from(JSON.stringify(request));
    const mask = randomBytes(4);
    let header: Buffer;
    if (payload.length < 126) {
      header = Buffer.from([0x81, 0x80 | payload.length]);
    } else if (payload.length < 65536) {
      header = Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x81;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
    this.socket.write(Buffer.concat([header, mask, payload]));
  }

  close(): void {
    this.socket.destroy();
  }
}
