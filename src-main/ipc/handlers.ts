/** What each contract method does, in terms of the services. Arguments arrive already validated. */
import type { ArgsOf, MethodName, ResultOf } from '../../src-shared/contract';
import { TIER_LIMITS, type Tier } from '../../src-shared/tiers';
import { ServiceError, type Services } from '../services';
import { importLegacyUpload } from '../services/legacy-import';
import type { CloudEngine } from '../services/tts/engines/cloud';
import { memoView, profileView, subscriptionView, usageLogView } from './views';

type HandlerOf<M extends MethodName> = (args: NonNullable<ArgsOf<M>>) => ResultOf<M> | Promise<ResultOf<M>>;
/** The `store.*` methods: the profile session's (src-main/ipc/session.ts), which answers them with or without a core. */
export type StoreMethod = Extract<MethodName, `store.${string}`>;
export type StoreHandlers = { [M in StoreMethod]: HandlerOf<M> };
/** What a core answers: every other method. */
export type CoreMethod = Exclude<MethodName, StoreMethod>;
export type Handlers = { [M in CoreMethod]: HandlerOf<M> };

/** What the edge running the core (Electron, the browser host, a test) adds to it. */
export interface EdgeDeps {
  profileDir: string;
  /** Asks the user where to save a file (Electron's save dialog); answers the path, or null when they cancel.
   * Absent where the app cannot show one (the browser host: the page downloads instead). */
  saveFile?: (suggestedName: string) => Promise<string | null>;
  /** The cloud engine, whose last rate-limit headers the usage screen shows. */
  cloud?: CloudEngine;
}

const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

export function createHandlers(s: Services, { profileDir, saveFile, cloud }: EdgeDeps): Handlers {
  const me = () => s.accounts.require();
  /** Offline voice samples, made once per voice and run. */
  const previews = new Map<string, Promise<string>>();
  return {
    'profile.get': () => {
      const user = s.accounts.current();
      return user ? profileView(user) : null;
    },
    'profile.create': async ({ email }) => profileView(await s.accounts.createProfile(email)),
    'subscription.get': () => {
      const subscription = s.subscriptions.get(me().id);
      return subscription ? subscriptionView(subscription) : null;
    },
    'limits.get': () => {
      const tier = (me().tier ?? 'hobby') as Tier;
      return { tier, limits: TIER_LIMITS[tier] };
    },
    'app.status': () => ({
      keychain: { persistent: s.secrets.persistent, reason: s.secrets.reason ?? null },
      profileDir,
      fileDialogs: saveFile !== undefined,
    }),

    'keys.list': () => {
      const user = me();
      const keys = s.keys.list(user.id);
      return { keys, active: keys.filter((k) => k.isActive).length, limit: TIER_LIMITS[(user.tier ?? 'hobby') as Tier].apiKeys };
    },
    'keys.create': ({ name, test }) => s.keys.create(me().id, { ...(name !== undefined && { name }), ...(test !== undefined && { test }) }),
    'keys.rename': ({ id, name }) => s.keys.rename(me().id, id, name),
    'keys.revoke': ({ id }) => s.keys.revoke(me().id, id),

    'usage.list': (filter) => s.usage.list(me().id, filter).map(usageLogView),
    'usage.summary': () => ({ ...s.rateLimits.summary(me().id), cloud: cloud?.lastRateLimit ?? null }),
    'usage.daily': ({ days }) => s.rateLimits.daily(me().id, days),

    'memos.list': (query) => {
      const { memos, total } = s.memos.list(me().id, query);
      return { memos: memos.map(memoView), total };
    },
    'memos.get': ({ id }) => memoView(s.memos.get(me().id, id)),
    'memos.rename': async ({ id, title }) => memoView(await s.memos.rename(me().id, id, title)),
    'memos.delete': async ({ id }) => {
      await s.memos.delete(me().id, id);
      return { deleted: true as const };
    },
    'memos.generate': async (request) => memoView(await s.generation.generate(me().id, request)),
    'memos.cancel': async ({ id }) => {
      await s.generation.cancel(me().id, id);
      return memoView(s.memos.get(me().id, id));
    },
    'memos.retry': async ({ id }) => {
      await s.generation.retry(me().id, id);
      return memoView(s.memos.get(me().id, id));
    },
    'memos.export': async ({ id }) => {
      const user = me();
      if (!saveFile) throw new ServiceError('UNSUPPORTED', 'This window cannot save files; download the audio instead.');
      const name = s.memos.exportName(user.id, id);
      const path = await saveFile(name);
      if (path !== null) await s.memos.exportAudio(user.id, id, path);
      return { path };
    },

    'voices.list': async () => {
      const voices = s.tts.voices();
      const health = voices.some((v) => v.engine === 'cloud') ? await s.cloudHealth.check() : { available: true, reason: null };
      return {
        voices: voices.map(({ id, name, gender, description, engine }) => {
          const available = engine === 'offline' || health.available;
          return { id, name, gender, description, engine, available, unavailableReason: available ? null : health.reason };
        }),
      };
    },
    'voices.preview': async ({ voice }) => {
      const { voice: found, engine } = s.tts.resolve(voice);
      if (engine.id !== 'offline') throw new ServiceError('UNSUPPORTED', 'Only the offline voices have a preview: a cloud sample would count as a call.');
      let audio = previews.get(found.id);
      if (!audio) {
        audio = engine.synthesize(`Hello, I'm ${found.name}. This is how I sound.`, found.id).then((r) => Buffer.from(r.audio).toString('base64'));
        audio.catch(() => previews.delete(found.id));
        previews.set(found.id, audio);
      }
      return { mime: 'audio/wav', audioBase64: await audio };
    },

    'settings.get': () => s.settings.get(),
    'settings.update': (changes) => s.settings.update(changes),
    'legacy.import': async ({ fileName, database, wal }) => {
      const user = me();
      const upload = { fileName, database: fromBase64(database), ...(wal !== undefined && { wal: fromBase64(wal) }) };
      return importLegacyUpload(s.store, upload, { userId: user.id, email: user.email });
    },
  };
}
