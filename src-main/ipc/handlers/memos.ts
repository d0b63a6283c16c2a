import { ServiceError, type Services } from '../../services';
import { memoView } from '../views';
import type { EdgeDeps, HandlersOf } from '.';

type MemoMethods = 'memos.list' | 'memos.get' | 'memos.rename' | 'memos.delete' | 'memos.generate' | 'memos.cancel' | 'memos.retry' | 'memos.export' | 'memos.fetchAudio';

export function memosHandlers(s: Services, { saveFile }: EdgeDeps): HandlersOf<MemoMethods> {
  const me = () => s.accounts.require().id;
  return {
    'memos.list': (query) => {
      const { memos, total } = s.memos.list(me(), query);
      return { memos: memos.map(memoView), total };
    },
    'memos.get': ({ id }) => memoView(s.memos.get(me(), id)),
    'memos.rename': async ({ id, title }) => memoView(await s.memos.rename(me(), id, title)),
    'memos.delete': async ({ id }) => {
      await s.memos.delete(me(), id);
      return { deleted: true as const };
    },
    'memos.generate': async (request) => memoView(await s.generation.generate(me(), request)),
    'memos.cancel': async ({ id }) => {
      await s.generation.cancel(me(), id);
      return memoView(s.memos.get(me(), id));
    },
    'memos.retry': async ({ id }) => {
      await s.generation.retry(me(), id);
      return memoView(s.memos.get(me(), id));
    },
    'memos.fetchAudio': async ({ id }) => memoView((await s.memoAudio.ensure(id, me())).memo),
    'memos.export': async ({ id }) => {
      if (!saveFile) throw new ServiceError('UNSUPPORTED', 'This window cannot save files; download the audio instead.');
      // A completed memo's audio here first (from the synced folder or the service), before asking where to save it.
      if (s.memos.get(me(), id).status === 'completed') await s.memoAudio.ensure(id, me());
      return { path: await s.memos.export(me(), id, saveFile) };
    },
  };
}
