import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A desktop notification server for tests: a private D-Bus session bus (Debian's `dbus-daemon`)
 * and, on it, the `org.freedesktop.Notifications` service that GNOME or KDE provide on a desktop.
 *
 * Why: on Linux, Chromium shows web notifications through that D-Bus service when one is on the
 * session bus (chrome/browser/notifications/notification_platform_bridge_linux.cc). A person's
 * click on the notification reaches Chromium as the service's `ActionInvoked(id, "default")`
 * signal, which Chromium turns into the service worker's `notificationclick`, with the
 * user activation that lets `clients.openWindow()` open a tab. Headless Chromium has no
 * notification UI of its own to click, and DevTools has no command to click one; this server is
 * how a test clicks a notification the way the desktop does.
 *
 * The D-Bus wire protocol (SASL EXTERNAL, little-endian messages) is implemented here for the
 * handful of messages the service needs.
 */
export interface DesktopNotificationServer {
  /** For the browser's environment: `DBUS_SESSION_BUS_ADDRESS`. */
  busAddress: string;
  /** Notifications the browser asked to show and has not closed, oldest first. */
  shown(): DesktopNotification[];
  /** Resolves with the first shown notification whose title is `title`. */
  waitFor(title: string, timeoutMs?: number): Promise<DesktopNotification>;
  /**
   * Resolves once the browser has asked for the server's capabilities: its notification bridge
   * is set up. Notifications a page shows before then can be lost between the two.
   */
  browserReady(timeoutMs?: number): Promise<void>;
  /** Clicks the notification's body, as a person clicking the popup does. */
  click(notification: DesktopNotification): void;
  close(): Promise<void>;
}

export interface DesktopNotification {
  id: number;
  appName: string;
  title: string;
  body: string;
  /** Action ids and labels, alternating, as sent (`default` makes the whole popup clickable). */
  actions: string[];
}

const SERVICE = 'org.freedesktop.Notifications';
const OBJECT_PATH = '/org/freedesktop/Notifications';

/** Starts a private session bus and the notification service on it. */
export async function startDesktopNotificationServer(): Promise<DesktopNotificationServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hoot-dbus-'));
  const busAddress = `unix:path=${path.join(dir, 'bus')}`;
  // A bus of its own, with no service directories: nothing is activated on demand (Chromium
  // would otherwise start the accessibility bus), so the bus holds only what the test starts.
  const config = path.join(dir, 'session.conf');
  await writeFile(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>${busAddress}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  );
  const daemon = spawn(
    'dbus-daemon',
    [`--config-file=${config}`, '--nofork', '--nopidfile', '--print-address=1'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  try {
    await firstLine(daemon);
  } catch (error) {
    daemon.kill();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const connection = await DBusConnection.open(path.join(dir, 'bus'));
  const notifications = new Map<number, DesktopNotification>();
  const waiters: Array<() => void> = [];
  let nextId = 1;
  let markBrowserReady: () => void = () => {};
  const browserReady = new Promise<void>((resolve) => {
    markBrowserReady = resolve;
  });

  connection.onMethodCall = (call) => {
    if (call.interface !== SERVICE)
      return connection.replyError(call, 'org.freedesktop.DBus.Error.UnknownMethod');
    switch (call.member) {
      case 'GetCapabilities':
        return connection.reply(call, 'as', [['body', 'actions']]);
      case 'GetServerInformation':
        markBrowserReady();
        return connection.reply(call, 'ssss', ['hoot-test-notifications', 'hoot', '1.0', '1.2']);
      case 'Notify': {
        const [appName, replacesId, , title, body, actions] = call.read('susssas') as [
          string,
          number,
          string,
          string,
          string,
          string[],
        ];
        const id = replacesId || nextId++;
        notifications.set(id, { id, appName, title, body, actions });
        connection.reply(call, 'u', [id]);
        for (const wake of waiters.splice(0)) wake();
        return;
      }
      case 'CloseNotification': {
        const [id] = call.read('u') as [number];
        notifications.delete(id);
        connection.reply(call, '', []);
        // Reason 3: closed by a call to CloseNotification.
        return connection.signal(OBJECT_PATH, SERVICE, 'NotificationClosed', 'uu', [id, 3]);
      }
      default:
        return connection.replyError(call, 'org.freedesktop.DBus.Error.UnknownMethod');
    }
  };
  await connection.requestName(SERVICE);

  return {
    busAddress,
    shown: () => [...notifications.values()],
    async waitFor(title, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = [...notifications.values()].find((n) => n.title === title);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no desktop notification titled ${JSON.stringify(title)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    async browserReady(timeoutMs = 10_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('the browser never set up its notification bridge')),
          timeoutMs,
        );
      });
      try {
        await Promise.race([browserReady, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    click(notification) {
      if (!notification.actions.includes('default'))
        throw new Error('the notification has no default action');
      connection.signal(OBJECT_PATH, SERVICE, 'ActionInvoked', 'us', [notification.id, 'default']);
    },
    async close() {
      connection.end();
      daemon.kill();
      if (daemon.exitCode === null) await once(daemon, 'exit');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.split('\n')[0] ?? '');
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
  });
}

// ---------------------------------------------------------------------------------------------
// A minimal D-Bus client: little-endian marshalling of the basic types, arrays, variants (read
// only) and the message header; enough to own a name, answer method calls and emit signals.

const MESSAGE_TYPE = { methodCall: 1, methodReturn: 2, error: 3, signal: 4 } as const;
const FIELD = {
  path: 1,
  interface: 2,
  member: 3,
  errorName: 4,
  replySerial: 5,
  destination: 6,
  sender: 7,
  signature: 8,
};
const NO_REPLY_EXPECTED = 1;

interface IncomingMessage {
  type: number;
  flags: number;
  serial: number;
  fields: Map<number, unknown>;
  body: Buffer;
  bodyOffset: number;
  buffer: Buffer;
}

interface MethodCall {
  serial: number;
  sender: string;
  interface: string | undefined;
  member: string | undefined;
  noReply: boolean;
  /** Reads the leading arguments of the body, for a signature prefix of the call's own. */
  read(signature: string): unknown[];
}

class Writer {
  #bytes: number[] = [];
  get length() {
    return this.#bytes.length;
  }
  align(n: number) {
    while (this.#bytes.length % n !== 0) this.#bytes.push(0);
  }
  byte(v: number) {
    this.#bytes.push(v & 0xff);
  }
  uint32(v: number) {
    this.align(4);
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.#bytes.push(...b);
  }
  int32(v: number) {
    this.uint32(v | 0);
  }
  string(v: string) {
    const b = Buffer.from(v, 'utf8');
    this.uint32(b.length);
    this.#bytes.push(...b, 0);
  }
  signature(v: string) {
    this.byte(v.length);
    this.#bytes.push(...Buffer.from(v, 'ascii'), 0);
  }
  patchUint32(at: number, v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.#bytes.splice(at, 4, ...b);
  }
  /** Writes one value of a single complete type; `variant` values are [signature, value]. */
  value(type: string, v: unknown): void {
    switch (type[0]) {
      case 'y':
        this.byte(v as number);
        return;
      case 'u':
        this.uint32(v as number);
        return;
      case 'i':
        this.int32(v as number);
        return;
      case 's':
      case 'o':
        this.string(v as string);
        return;
      case 'g':
        this.signature(v as string);
        return;
      case 'v': {
        const [sig, inner] = v as [string, unknown];
        this.signature(sig);
        this.value(sig, inner);
        return;
      }
      case 'a': {
        const element = type.slice(1);
        this.uint32(0);
        const lengthAt = this.length - 4;
        this.align(alignmentOf(element));
        const start = this.length;
        for (const item of v as unknown[]) this.value(element, item);
        this.patchUint32(lengthAt, this.length - start);
        return;
      }
      case '(': {
        this.align(8);
        const members = splitTypes(type.slice(1, -1));
        (v as unknown[]).forEach((item, i) => {
          this.value(members[i] ?? '', item);
        });
        return;
      }
      default:
        throw new Error(`cannot write D-Bus type ${type}`);
    }
  }
  toBuffer() {
    return Buffer.from(this.#bytes);
  }
}

class Reader {
  readonly buffer: Buffer;
  offset: number;
  /** Where alignment is counted from: the start of the message. */
  readonly origin: number;
  constructor(buffer: Buffer, offset: number, origin: number) {
    this.buffer = buffer;
    this.offset = offset;
    this.origin = origin;
  }
  align(n: number) {
    const rel = this.offset - this.origin;
    this.offset += (n - (rel % n)) % n;
  }
  value(type: string): unknown {
    switch (type[0]) {
      case 'y':
        return this.buffer.readUInt8(this.offset++);
      case 'b':
      case 'u': {
        this.align(4);
        const v = this.buffer.readUInt32LE(this.offset);
        this.offset += 4;
        return type[0] === 'b' ? v !== 0 : v;
      }
      case 'i': {
        this.align(4);
        const v = this.buffer.readInt32LE(this.offset);
        this.offset += 4;
        return v;
      }
      case 's':
      case 'o': {
        const length = this.value('u') as number;
        const v = this.buffer.toString('utf8', this.offset, this.offset + length);
        this.offset += length + 1;
        return v;
      }
      case 'g': {
        const length = this.buffer.readUInt8(this.offset++);
        const v = this.buffer.toString('ascii', this.offset, this.offset + length);
        this.offset += length + 1;
        return v;
      }
      case 'v':
        return this.value(this.value('g') as string);
      case 'a': {
        const element = type.slice(1);
        const length = this.value('u') as number;
        this.align(alignmentOf(element));
        const end = this.offset + length;
        const items: unknown[] = [];
        while (this.offset < end) items.push(this.value(element));
        return items;
      }
      case '(':
      case '{': {
        this.align(8);
        return splitTypes(type.slice(1, -1)).map((member) => this.value(member));
      }
      default:
        throw new Error(`cannot read D-Bus type ${type}`);
    }
  }
}

function alignmentOf(type: string): number {
  switch (type[0]) {
    case 'y':
    case 'g':
    case 'v':
      return 1;
    case '(':
    case '{':
      return 8;
    default:
      return 4;
  }
}

/** Splits a signature into its single complete types: "sa{sv}u" → ["s", "a{sv}", "u"]. */
function splitTypes(signature: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < signature.length) {
    const start = i;
    while (signature[i] === 'a') i++;
    const c = signature[i];
    if (c === '(' || c === '{') {
      let depth = 0;
      do {
        if (signature[i] === '(' || signature[i] === '{') depth++;
        if (signature[i] === ')' || signature[i] === '}') depth--;
        i++;
      } while (depth > 0);
    } else {
      i++;
    }
    out.push(signature.slice(start, i));
  }
  return out;
}

class DBusConnection {
  #socket: net.Socket;
  #serial = 1;
  #pending = new Map<number, { resolve: (m: IncomingMessage) => void; reject: (e: Error) => void }>();
  #input = Buffer.alloc(0);
  onMethodCall: (call: MethodCall) => void = () => {};

  private constructor(socket: net.Socket) {
    this.#socket = socket;
  }

  static async open(socketPath: string): Promise<DBusConnection> {
    const socket = net.createConnection(socketPath);
    await once(socket, 'connect');
    // SASL: a NUL byte, then EXTERNAL authentication as our uid, hex-encoded.
    const uid = Buffer.from(String(process.getuid?.() ?? 0)).toString('hex');
    socket.write(Buffer.concat([Buffer.from([0]), Buffer.from(`AUTH EXTERNAL ${uid}\r\n`)]));
    const [answer] = (await once(socket, 'data')) as [Buffer];
    if (!answer.toString().startsWith('OK ')) throw new Error(`D-Bus authentication failed: ${answer}`);
    socket.write('BEGIN\r\n');
    const connection = new DBusConnection(socket);
    socket.on('data', (chunk: Buffer) => connection.#receive(chunk));
    socket.on('error', () => {});
    await connection.#call(
      'org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus',
      'Hello',
      '',
      [],
    );
    return connection;
  }

  async requestName(name: string) {
    // Flag 4: DO_NOT_QUEUE. Answer 1: we are the primary owner.
    const answer = await this.#call(
      'org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus',
      'RequestName',
      'su',
      [name, 4],
    );
    const code = new Reader(answer.buffer, answer.bodyOffset, 0).value('u');
    if (code !== 1) throw new Error(`could not own ${name} on the bus (${code})`);
  }

  reply(call: MethodCall, signature: string, values: unknown[]) {
    if (call.noReply) return;
    this.#send(
      MESSAGE_TYPE.methodReturn,
      [
        [FIELD.replySerial, ['u', call.serial]],
        [FIELD.destination, ['s', call.sender]],
      ],
      signature,
      values,
    );
  }

  replyError(call: MethodCall, name: string) {
    if (call.noReply) return;
    this.#send(
      MESSAGE_TYPE.error,
      [
        [FIELD.errorName, ['s', name]],
        [FIELD.replySerial, ['u', call.serial]],
        [FIELD.destination, ['s', call.sender]],
      ],
      '',
      [],
    );
  }

  signal(objectPath: string, iface: string, member: string, signature: string, values: unknown[]) {
    this.#send(
      MESSAGE_TYPE.signal,
      [
        [FIELD.path, ['o', objectPath]],
        [FIELD.interface, ['s', iface]],
        [FIELD.member, ['s', member]],
      ],
      signature,
      values,
    );
  }

  end() {
    this.#socket.destroy();
    for (const { reject } of this.#pending.values()) reject(new Error('D-Bus connection closed'));
  }

  #call(
    destination: string,
    objectPath: string,
    iface: string,
    member: string,
    signature: string,
    values: unknown[],
  ) {
    const serial = this.#send(
      MESSAGE_TYPE.methodCall,
      [
        [FIELD.path, ['o', objectPath]],
        [FIELD.interface, ['s', iface]],
        [FIELD.member, ['s', member]],
        [FIELD.destination, ['s', destination]],
      ],
      signature,
      values,
    );
    return new Promise<IncomingMessage>((resolve, reject) => this.#pending.set(serial, { resolve, reject }));
  }

  #send(
    type: number,
    fields: Array<[number, [string, unknown]]>,
    signature: string,
    values: unknown[],
  ): number {
    const body = new Writer();
    splitTypes(signature).forEach((t, i) => {
      body.value(t, values[i]);
    });
    const bodyBytes = body.toBuffer();
    const serial = this.#serial++;
    const header = new Writer();
    header.byte('l'.charCodeAt(0));
    header.byte(type);
    header.byte(type === MESSAGE_TYPE.signal ? NO_REPLY_EXPECTED : 0);
    header.byte(1);
    header.uint32(bodyBytes.length);
    header.uint32(serial);
    const allFields = signature
      ? [...fields, [FIELD.signature, ['g', signature]] as [number, [string, unknown]]]
      : fields;
    header.value('a(yv)', allFields);
    header.align(8);
    this.#socket.write(Buffer.concat([header.toBuffer(), bodyBytes]));
    return serial;
  }

  #receive(chunk: Buffer) {
    this.#input = Buffer.concat([this.#input, chunk]);
    for (;;) {
      if (this.#input.length < 16) return;
      const bodyLength = this.#input.readUInt32LE(4);
      const fieldsLength = this.#input.readUInt32LE(12);
      const bodyOffset = 16 + fieldsLength + ((8 - ((16 + fieldsLength) % 8)) % 8);
      const total = bodyOffset + bodyLength;
      if (this.#input.length < total) return;
      const buffer = this.#input.subarray(0, total);
      this.#input = this.#input.subarray(total);
      const fieldList = new Reader(buffer, 12, 0).value('a(yv)') as Array<[number, unknown]>;
      this.#dispatch({
        type: buffer.readUInt8(1),
        flags: buffer.readUInt8(2),
        serial: buffer.readUInt32LE(8),
        fields: new Map(fieldList),
        body: buffer.subarray(bodyOffset),
        bodyOffset,
        buffer,
      });
    }
  }

  #dispatch(message: IncomingMessage) {
    if (message.type === MESSAGE_TYPE.methodReturn || message.type === MESSAGE_TYPE.error) {
      const serial = message.fields.get(FIELD.replySerial) as number;
      const pending = this.#pending.get(serial);
      if (!pending) return;
      this.#pending.delete(serial);
      if (message.type === MESSAGE_TYPE.error)
        pending.reject(new Error(String(message.fields.get(FIELD.errorName))));
      else pending.resolve(message);
      return;
    }
    if (message.type !== MESSAGE_TYPE.methodCall) return;
    const reader = new Reader(message.buffer, message.bodyOffset, 0);
    this.onMethodCall({
      serial: message.serial,
      sender: String(message.fields.get(FIELD.sender) ?? ''),
      interface: message.fields.get(FIELD.interface) as string | undefined,
      member: message.fields.get(FIELD.member) as string | undefined,
      noReply: (message.flags & NO_REPLY_EXPECTED) !== 0,
      read: (signature) => splitTypes(signature).map((t) => reader.value(t)),
    });
  }
}
