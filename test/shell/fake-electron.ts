/**
 * A fake of the `electron` module for the shell's tests (Electron cannot run here; docs/platform.md).
 * Every object records what the shell did to it, so a test asserts the shell's behaviour: which
 * icon the tray shows, what the menu holds, which notifications were shown, what was written to the
 * clipboard, which IPC handlers exist. Use it with
 *
 *   vi.mock('electron', async () => (await import('./fake-electron.js')).electronModule());
 *
 * and call `resetFakeElectron()` between tests. Only what the shell uses is faked; anything else is
 * missing, so a new use shows up as a failing test rather than a silent no-op.
 */
import { EventEmitter } from 'node:events';

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export function fakeEvent(): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

export interface MenuItemTemplate {
  type?: string;
  label?: string;
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
  submenu?: MenuItemTemplate[];
}

class FakeApp extends EventEmitter {
  lockAvailable = true;
  quitCalls = 0;
  exitCodes: number[] = [];
  /** True once a quit went through (no before-quit handler prevented it). */
  quitted = false;
  userData = '/nonexistent/userData';
  appPath = '/nonexistent/app';
  isPackaged = false;
  dockHidden = 0;
  loginItem = { openAtLogin: false, wasOpenedAtLogin: false };
  loginItemCalls: Array<{ openAtLogin: boolean; args?: string[] }> = [];
  appUserModelId: string | null = null;
  private readyResolve!: () => void;
  private readyPromise = new Promise<void>((r) => (this.readyResolve = r));
  dock = { hide: () => void this.dockHidden++ };

  requestSingleInstanceLock() {
    return this.lockAvailable;
  }
  quit() {
    this.quitCalls++;
    const e = fakeEvent();
    this.emit('before-quit', e);
    if (!e.defaultPrevented) this.quitted = true;
  }
  exit(code = 0) {
    this.exitCodes.push(code);
  }
  whenReady() {
    return this.readyPromise;
  }
  /** Test side: the app becomes ready. */
  becomeReady() {
    this.readyResolve();
  }
  getPath(name: string) {
    if (name !== 'userData') throw new Error(`fake app.getPath(${name}) is not faked`);
    return this.userData;
  }
  getAppPath() {
    return this.appPath;
  }
  getVersion() {
    return '0.1.0';
  }
  getLocale() {
    return 'en-GB';
  }
  getLoginItemSettings() {
    return { ...this.loginItem };
  }
  setLoginItemSettings(s: { openAtLogin: boolean; args?: string[] }) {
    this.loginItemCalls.push(s);
    this.loginItem.openAtLogin = s.openAtLogin;
  }
  setAppUserModelId(id: string) {
    this.appUserModelId = id;
  }
}

class FakeWebFrame {
  parent: FakeWebFrame | null = null;
  constructor(public url: string) {}
}

class FakeWebContents extends EventEmitter {
  destroyed = false;
  sent: Array<{ channel: string; message: unknown }> = [];
  mainFrame = new FakeWebFrame('about:blank');
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  loadedUrls: string[] = [];
  isDestroyed() {
    return this.destroyed;
  }
  send(channel: string, message: unknown) {
    this.sent.push({ channel, message });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  getURL() {
    return this.mainFrame.url;
  }
  /** Test side: the page finished loading at `url` (or the last URL loaded). */
  finishLoad(url = this.loadedUrls[this.loadedUrls.length - 1] ?? 'about:blank') {
    this.mainFrame.url = url;
    this.emit('did-finish-load');
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  destroyed = false;
  visible = false;
  focused = 0;
  minimized = false;
  bounds: { x: number; y: number; width: number; height: number };
  constructor(public readonly options: Record<string, any>) {
    super();
    this.bounds = { x: options.x ?? 40, y: options.y ?? 40, width: options.width, height: options.height };
    FakeBrowserWindow.instances.push(this);
  }
  loadURL(url: string) {
    this.webContents.loadedUrls.push(url);
    this.webContents.emit('did-start-navigation', { url, isMainFrame: true, isSameDocument: false, frame: null });
    return Promise.resolve();
  }
  show() {
    this.visible = true;
  }
  focus() {
    this.focused++;
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
  /** Test side: the user closes the window. */
  userClose() {
    this.emit('close', fakeEvent());
    this.destroy();
  }
}

export class FakeTray extends EventEmitter {
  static instances: FakeTray[] = [];
  destroyed = false;
  image: FakeNativeImage;
  tooltip = '';
  menu: { template: MenuItemTemplate[] } | null = null;
  menuSets = 0;
  constructor(image: FakeNativeImage) {
    super();
    this.image = image;
    FakeTray.instances.push(this);
  }
  setImage(image: FakeNativeImage) {
    this.image = image;
  }
  setToolTip(text: string) {
    this.tooltip = text;
  }
  setContextMenu(menu: { template: MenuItemTemplate[] }) {
    this.menu = menu;
    this.menuSets++;
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
  }
}

export class FakeNativeImage {
  template = false;
  constructor(public readonly path: string) {}
  setTemplateImage(on: boolean) {
    this.template = on;
  }
}

export class FakeNotification extends EventEmitter {
  static instances: FakeNotification[] = [];
  static supported = true;
  shown = false;
  closed = false;
  constructor(public readonly options: Record<string, any>) {
    super();
    FakeNotification.instances.push(this);
  }
  static isSupported() {
    return FakeNotification.supported;
  }
  show() {
    this.shown = true;
  }
  close() {
    this.closed = true;
    this.emit('close', fakeEvent());
  }
  /** Test side: the user clicks it. */
  userClick() {
    this.emit('click', fakeEvent());
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

class FakeIpcMain extends EventEmitter {
  handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler) {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  /** Test side: a renderer frame invokes `channel`. */
  invokeFrom(frame: { url: string; parent: unknown } | null, channel: string, ...args: unknown[]) {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return Promise.resolve().then(() => handler({ senderFrame: frame, sender: {} }, ...args));
  }
}

/** Reversible, keyed and visibly not the plain text: enough to prove the shell stores ciphertext. */
class FakeSafeStorage {
  asyncAvailable = true;
  backend: ReturnType<Electron.SafeStorage['getSelectedStorageBackend']> = 'gnome_libsecret';
  key = 0x5a;
  failDecrypt = false;
  reEncrypt = false;
  encryptCalls = 0;
  async isAsyncEncryptionAvailable() {
    return this.asyncAvailable;
  }
  getSelectedStorageBackend() {
    return this.backend;
  }
  async encryptStringAsync(plain: string) {
    this.encryptCalls++;
    if (!this.asyncAvailable) throw new Error('Encryption is not available.');
    const bytes = Buffer.from(`v11:${plain}`, 'utf8').map((b) => b ^ this.key);
    return Buffer.from(bytes);
  }
  async decryptStringAsync(cipher: Buffer) {
    if (this.failDecrypt) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    const text = Buffer.from(cipher.map((b) => b ^ this.key)).toString('utf8');
    if (!text.startsWith('v11:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return { result: text.slice(4), shouldReEncrypt: this.reEncrypt };
  }
}

class FakeIpcRenderer extends EventEmitter {
  invoke: (channel: string, ...args: unknown[]) => Promise<unknown> = async () => {
    throw new Error('fake ipcRenderer.invoke: no implementation set by the test');
  };
}

function makeState() {
  return {
    app: new FakeApp(),
    ipcMain: new FakeIpcMain(),
    ipcRenderer: new FakeIpcRenderer(),
    exposed: new Map<string, unknown>(),
    safeStorage: new FakeSafeStorage(),
    powerMonitor: new EventEmitter(),
    nativeTheme: Object.assign(new EventEmitter(), { shouldUseDarkColors: false, shouldUseDarkColorsForSystemIntegratedUI: false }),
    clipboard: [] as string[],
    openedExternal: [] as string[],
    errorBoxes: [] as Array<{ title: string; content: string }>,
    messageBoxes: [] as Array<Record<string, unknown>>,
    privilegedSchemes: [] as unknown[],
    protocolHandlers: new Map<string, (request: { url: string }) => Promise<Response> | Response>(),
    permissionRequestHandler: null as null | ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void),
    permissionCheckHandler: null as null | ((...args: unknown[]) => boolean),
    headerHooks: [] as Array<{ filter: unknown; listener: unknown }>,
    displays: [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
  };
}

export let fake = makeState();

export function resetFakeElectron(): void {
  fake = makeState();
  FakeBrowserWindow.instances = [];
  FakeTray.instances = [];
  FakeNotification.instances = [];
  FakeNotification.supported = true;
}

/** The module the shell sees as `electron`. Getters, so a reset between tests takes effect. */
export function electronModule(): Record<string, unknown> {
  const m = {
    get app() {
      return fake.app;
    },
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Notification: FakeNotification,
    Menu: { buildFromTemplate: (template: MenuItemTemplate[]) => ({ template }) },
    nativeImage: { createFromPath: (p: string) => new FakeNativeImage(p) },
    get nativeTheme() {
      return fake.nativeTheme;
    },
    clipboard: { writeText: (text: string) => void fake.clipboard.push(text) },
    get ipcMain() {
      return fake.ipcMain;
    },
    get ipcRenderer() {
      return fake.ipcRenderer;
    },
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void fake.exposed.set(key, api) },
    get safeStorage() {
      return fake.safeStorage;
    },
    get powerMonitor() {
      return fake.powerMonitor;
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => void fake.privilegedSchemes.push(...schemes),
      handle: (scheme: string, handler: (request: { url: string }) => Promise<Response>) => void fake.protocolHandlers.set(scheme, handler),
      unhandle: (scheme: string) => void fake.protocolHandlers.delete(scheme),
    },
    session: {
      get defaultSession() {
        return {
          setPermissionRequestHandler: (h: typeof fake.permissionRequestHandler) => void (fake.permissionRequestHandler = h),
          setPermissionCheckHandler: (h: typeof fake.permissionCheckHandler) => void (fake.permissionCheckHandler = h),
          webRequest: { onHeadersReceived: (filter: unknown, listener: unknown) => void fake.headerHooks.push({ filter, listener }) },
        };
      },
    },
    shell: { openExternal: async (url: string) => void fake.openedExternal.push(url) },
    screen: {
      getPrimaryDisplay: () => fake.displays[0],
      getAllDisplays: () => fake.displays,
    },
    dialog: {
      showErrorBox: (title: string, content: string) => void fake.errorBoxes.push({ title, content }),
      showMessageBox: async (options: Record<string, unknown>) => {
        fake.messageBoxes.push(options);
        return { response: 0 };
      },
    },
  };
  // electron-store does `import electron from 'electron'` (a default import) when it is inlined.
  Object.defineProperty(m, 'default', { get: () => m, enumerable: true });
  return m;
}

/** The labels of a menu template, submenus indented by two spaces: what a person sees. */
export function menuLabels(template: MenuItemTemplate[], indent = ''): string[] {
  return template.flatMap((item) => {
    if (item.type === 'separator') return [`${indent}---`];
    const mark = item.type === 'checkbox' ? (item.checked ? '[x] ' : '[ ] ') : '';
    const line = `${indent}${mark}${item.label}${item.enabled === false ? ' (disabled)' : ''}`;
    return item.submenu ? [line, ...menuLabels(item.submenu, `${indent}  `)] : [line];
  });
}

/** Finds a menu item by its label (searching submenus). */
export function menuItem(template: MenuItemTemplate[], label: string | RegExp): MenuItemTemplate {
  for (const item of template) {
    if (item.label !== undefined && (typeof label === 'string' ? item.label === label : label.test(item.label))) return item;
    if (item.submenu) {
      try {
        return menuItem(item.submenu, label);
      } catch {
        /* keep looking */
      }
    }
  }
  throw new Error(`no menu item ${String(label)} in:\n${menuLabels(template).join('\n')}`);
}
