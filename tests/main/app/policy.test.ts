import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowNavigation, allowPermission, isTrustedSender, windowOpenAction, windowOptions } from '../../../src-main/app/policy';
import { APP_INDEX_URL, contentSecurityPolicy, isAppUrl, metaContentSecurityPolicy, resolveAppFile } from '../../../src-main/serve/origin';

/** URLs that must never count as the app's own: other origins, other schemes, and tricks to look like it. */
const NOT_APP_URLS: unknown[] = [
  'app://evil/',
  'app://evil/index.html',
  'app://agent-talk.evil.com/',
  'app://agent-talk.evil.com/index.html',
  'app://agent-talkx/',
  'app://agent-tal/',
  'app://agent-talk@evil/',
  'app://agent-talk:x@evil/',
  'app://user@agent-talk/',
  'app://agent-talk:443/',
  'app://agent-talk:0/',
  'app://agent-talk', // no path: Chromium always gives at least `/`
  'app://agent-talk?x',
  'app://agent-talk#x',
  'app://agent-talk\\evil/',
  'app://agent-talk\\/index.html',
  'app://agent-talk/\\evil.com',
  'app:\\\\agent-talk/',
  'app:/agent-talk/',
  'app:agent-talk/',
  'app:///agent-talk/',
  'app:////agent-talk/',
  'app://%61gent-talk/',
  'app://agent%2dtalk/',
  'app://agent-talk%2eevil.com/',
  'app://agent-talk%2f@evil/',
  'app://agent-talk%00/',
  'APP://agent-talk/',
  'app://AGENT-TALK/',
  'App://Agent-Talk/',
  ' app://agent-talk/',
  'app://agent-talk/ ',
  '\tapp://agent-talk/',
  'app://agent-\ttalk/',
  'app://agent-\ntalk/',
  'app://agent-talk/\u0000',
  'app://agent-talk/\r\n',
  'app://agent-talk/é',
  'app://agent-talk/\u202e',
  'app://аgent-talk/', // Cyrillic а
  'file:///etc/passwd',
  'file://agent-talk/index.html',
  'http://agent-talk/',
  'https://agent-talk/',
  'http://localhost/',
  'javascript:alert(1)',
  'javascript://app://agent-talk/%0aalert(1)',
  'data:text/html,<script>alert(1)</script>',
  'blob:app://agent-talk/0b6f2c1e',
  'about:blank',
  'chrome://settings',
  'devtools://devtools/bundled/inspector.html',
  'view-source:app://agent-talk/',
  'ws://agent-talk/',
  '',
  '/',
  '//agent-talk/',
  'agent-talk/index.html',
  '/index.html',
  'app://',
  'app:',
  'http://[::1',
  '%',
  undefined,
  null,
  0,
  {},
  [],
  ['app://agent-talk/'],
  new URL('app://agent-talk/'),
  { toString: () => 'app://agent-talk/' },
];

describe('windowOptions', () => {
  it('isolates the page from Node.js and Electron, with the developer tools only in a development build', () => {
    expect(windowOptions('/app/out/preload/index.cjs', { packaged: false })).toMatchObject({ devTools: true });
    expect(windowOptions('/app/out/preload/index.cjs', { packaged: true })).toStrictEqual({
      preload: '/app/out/preload/index.cjs',
      devTools: false,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    });
  });

  it('refuses a relative preload path, which Electron would resolve against an unknown directory', () => {
    for (const path of ['index.cjs', './preload/index.cjs', '../preload/index.cjs', '']) {
      expect(() => windowOptions(path, { packaged: true })).toThrow(/absolute/);
    }
  });
});

describe('isAppUrl', () => {
  it.each(['app://agent-talk/', APP_INDEX_URL, 'app://agent-talk/assets/index-CCYicX4-.js', 'app://agent-talk/x?y=1#z'])(
    'accepts %s',
    (url) => expect(isAppUrl(url)).toBe(true),
  );

  it.each(NOT_APP_URLS.map((url) => [url]))('refuses %j', (url) => {
    expect(isAppUrl(url)).toBe(false);
  });

  it('accepts an app URL whatever its path: files are checked by resolveAppFile', () => {
    expect(isAppUrl('app://agent-talk/..%2f..%2fetc/passwd')).toBe(true);
    expect(resolveAppFile('/srv/renderer', 'app://agent-talk/..%2f..%2fetc/passwd')).toBeNull();
  });
});

describe('allowNavigation and isTrustedSender', () => {
  it('allow the app URLs only', () => {
    expect(allowNavigation(APP_INDEX_URL)).toBe(true);
    expect(isTrustedSender(APP_INDEX_URL)).toBe(true);
    for (const url of NOT_APP_URLS) {
      expect(allowNavigation(url)).toBe(false);
      expect(isTrustedSender(url)).toBe(false);
    }
  });

  it('do not trust a frame with no URL yet, or a blank or error page', () => {
    for (const url of ['', 'about:blank', 'about:srcdoc', 'chrome-error://chromewebdata/']) {
      expect(isTrustedSender(url)).toBe(false);
    }
  });
});

describe('windowOpenAction', () => {
  it('hands plain http(s) links to the OS browser, canonicalized', () => {
    expect(windowOpenAction('https://agent-talk.example/pricing?plan=pro#top')).toEqual({
      kind: 'open-external',
      url: 'https://agent-talk.example/pricing?plan=pro#top',
    });
    expect(windowOpenAction('HTTP://Example.COM')).toEqual({ kind: 'open-external', url: 'http://example.com/' });
  });

  it.each([
    [APP_INDEX_URL],
    ['app://evil/'],
    ['file:///etc/passwd'],
    ['file://server/share/x.exe'],
    ['javascript:alert(1)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['vbscript:msgbox(1)'],
    ['mailto:someone@example.com'],
    ['smb://server/share'],
    ['ms-msdt:/id PCWDiagnostic'],
    ['search-ms:query=x'],
    ['ftp://example.com/'],
    ['about:blank'],
    ['https://user:pass@example.com/'],
    ['https://user@example.com/'],
    ['https://example.com@evil.com/'],
    ['https://example.com\\@evil.com/'],
    ['https://exa mple.com/'],
    [' https://example.com/'],
    ['https://example.com/\n'],
    ['https:///'],
    ['https://'],
    ['http://[::1'],
    ['//example.com/'],
    ['example.com'],
    [''],
    [undefined],
    [null],
    [{ toString: (): string => 'https://example.com/' }],
  ])('denies %j without opening it anywhere', (url) => {
    expect(windowOpenAction(url)).toEqual({ kind: 'deny' });
  });
});

describe('allowPermission', () => {
  it('lets the app page write plain text to the clipboard (the copy-key button)', () => {
    expect(allowPermission('clipboard-sanitized-write', APP_INDEX_URL)).toBe(true);
  });

  it('denies it to any other page', () => {
    for (const url of NOT_APP_URLS) expect(allowPermission('clipboard-sanitized-write', url)).toBe(false);
  });

  it.each([
    'clipboard-read',
    'deprecated-sync-clipboard-read',
    'media',
    'display-capture',
    'geolocation',
    'notifications',
    'midi',
    'midiSysex',
    'openExternal',
    'fileSystem',
    'fullscreen',
    'pointerLock',
    'keyboardLock',
    'hid',
    'serial',
    'usb',
    'idle-detection',
    'local-fonts',
    'window-management',
    'storage-access',
    'persistent-storage',
    'unknown',
    '',
    'CLIPBOARD-SANITIZED-WRITE',
    'clipboard-sanitized-write ',
    '__proto__',
    'constructor',
    'hasOwnProperty',
  ])('denies %j, even to the app page', (permission) => {
    expect(allowPermission(permission, APP_INDEX_URL)).toBe(false);
  });

  it('denies values that are not permission names', () => {
    for (const permission of [undefined, null, 1, {}, ['clipboard-sanitized-write']]) {
      expect(allowPermission(permission, APP_INDEX_URL)).toBe(false);
    }
  });
});

describe('contentSecurityPolicy', () => {
  const directives = (policy: string) =>
    new Map(policy.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));

  it('allows nothing by default and only the app itself for scripts, styles and connections', () => {
    const policy = directives(contentSecurityPolicy);
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('style-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('never allows inline or evaluated code, or any remote origin', () => {
    expect(contentSecurityPolicy).not.toMatch(/unsafe|\*|https?:|wss?:|filesystem:/);
  });

  it('allows blob: only as a media source (the voice previews the page makes itself), never for scripts', () => {
    const policy = directives(contentSecurityPolicy);
    expect([...policy].filter(([, sources]) => sources.includes('blob:')).map(([name]) => name)).toEqual(['media-src']);
  });

  it('is the policy src-renderer/index.html declares, less what a <meta> policy cannot carry', () => {
    const html = readFileSync(join(import.meta.dirname, '../../../src-renderer/index.html'), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
    expect(meta?.[1]).toBe(metaContentSecurityPolicy);
    expect(directives(contentSecurityPolicy)).toEqual(
      new Map([...directives(metaContentSecurityPolicy), ['frame-ancestors', ["'none'"]]]),
    );
  });
});

describe('resolveAppFile', () => {
  const root = resolve('/srv/agent-talk/renderer');

  it('maps app URLs to files inside the renderer directory, with their MIME type', () => {
    expect(resolveAppFile(root, APP_INDEX_URL)).toEqual({
      path: join(root, 'index.html'),
      mimeType: 'text/html; charset=utf-8',
    });
    expect(resolveAppFile(root, 'app://agent-talk/assets/index-CCYicX4-.js?v=1#x')).toEqual({
      path: join(root, 'assets', 'index-CCYicX4-.js'),
      mimeType: 'text/javascript; charset=utf-8',
    });
    expect(resolveAppFile(root, 'app://agent-talk/assets/logo@2x.PNG')?.mimeType).toBe('image/png');
    expect(resolveAppFile(root, 'app://agent-talk/assets/style.css')?.mimeType).toBe('text/css; charset=utf-8');
    expect(resolveAppFile(root, 'app://agent-talk/assets/data.bin')?.mimeType).toBe('application/octet-stream');
    expect(resolveAppFile(root, 'app://agent-talk/LICENSE')?.mimeType).toBe('application/octet-stream');
  });

  it('serves index.html for a directory URL', () => {
    expect(resolveAppFile(root, 'app://agent-talk/')?.path).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://agent-talk/?x=1')?.path).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://agent-talk/docs/')?.path).toBe(join(root, 'docs', 'index.html'));
  });

  it('decodes percent-encoded names', () => {
    expect(resolveAppFile(root, 'app://agent-talk/assets/%69ndex.js')?.path).toBe(join(root, 'assets', 'index.js'));
  });

  it('resolves dot segments the URL parser removes, and never above the root', () => {
    expect(resolveAppFile(root, 'app://agent-talk/a/../index.html')?.path).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://agent-talk/%2e')?.path).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://agent-talk/../../../etc/passwd')?.path).toBe(join(root, 'etc', 'passwd'));
    expect(resolveAppFile(root, 'app://agent-talk/%2e%2e/%2E%2E/etc/passwd')?.path).toBe(join(root, 'etc', 'passwd'));
  });

  it.each([
    'app://agent-talk/..%2f..%2fetc%2fpasswd',
    'app://agent-talk/..%2F..%2Fetc/passwd',
    'app://agent-talk/assets/..%2f..%2f..%2fetc/passwd',
    'app://agent-talk/%2e%2e%2f%2e%2e%2fetc/passwd',
    'app://agent-talk/%252e%252e/%252e%252e/etc/passwd',
    'app://agent-talk/..%5c..%5cwindows%5cwin.ini',
    'app://agent-talk/assets%5c..%5c..%5csecret',
    'app://agent-talk/%2fetc%2fpasswd',
    'app://agent-talk/%2F%2Fserver%2Fshare',
    'app://agent-talk//etc/passwd',
    'app://agent-talk/assets//index.js',
    'app://agent-talk/%5c%5cserver%5cshare%5cx',
    'app://agent-talk/C:%5cWindows%5cwin.ini',
    'app://agent-talk/C:/Windows/win.ini',
    'app://agent-talk/index.html::$DATA',
    'app://agent-talk/index.html%00.png',
    'app://agent-talk/%00',
    'app://agent-talk/index.html%0a',
    'app://agent-talk/%20index.html',
    'app://agent-talk/.env',
    'app://agent-talk/.git/config',
    'app://agent-talk/assets/.hidden',
    'app://agent-talk/...',
    'app://agent-talk/%',
    'app://agent-talk/%zz',
    'app://agent-talk/%c0%ae%c0%ae/etc/passwd',
    'app://agent-talk/%e0%80%ae',
    'app://agent-talk/%ef%bc%8e%ef%bc%8e/etc/passwd',
    'app://agent-talk/index.html%3fx',
    ...NOT_APP_URLS.filter((url) => typeof url === 'string'),
  ])('refuses %j', (url) => {
    expect(resolveAppFile(root, url)).toBeNull();
  });

  it('refuses URLs that are not strings', () => {
    for (const url of [undefined, null, 1, {}, new URL(APP_INDEX_URL)]) expect(resolveAppFile(root, url)).toBeNull();
  });

  it('works from a relative renderer directory too', () => {
    expect(resolveAppFile('out/renderer', APP_INDEX_URL)?.path).toBe(resolve('out/renderer/index.html'));
  });
});
