/**
 * The packaged app's fuses, as electron-builder itself reads and validates its configuration (packaging needs the
 * Electron binary, which cannot be downloaded here; the configuration is what decides the fuses it flips).
 */
import { fileURLToPath } from 'node:url';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { describe, expect, it } from 'vitest';

/** electron-builder's debug log, off. */
const quietLogger: Parameters<typeof validateConfiguration>[1] = { isEnabled: false, data: new Map(), add: () => {}, save: async () => {} };

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('the package configuration', () => {
  it('ships an ASAR archive with the fuses that keep the binary from running anything but the app', async () => {
    const config = await getConfig(root, null, null);
    // Throws on any option electron-builder does not know or a value of the wrong kind.
    await validateConfiguration(config, quietLogger);
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.files).toEqual([{ filter: ['out/**', 'package.json'] }]);
  });
});
