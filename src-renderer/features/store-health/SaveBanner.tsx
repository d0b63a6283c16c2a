/**
 * One line at the top of every screen while the app cannot save: after a failed commit ("Could not save;
 * retrying…") or while the disk is full. It follows the store's health from `app.status` and the `store.health`
 * event, and disappears by itself once a save works again.
 */
import { useEffect, useState } from 'react';
import type { StoreHealthView } from '../../../src-shared/contract';
import { call, on } from '../../api';

export function saveBannerText(health: StoreHealthView): string | null {
  if (health.state === 'retrying') return 'Could not save; retrying… What you change now may not be kept until this message goes away.';
  if (health.state === 'disk-full') {
    return 'Disk full: nothing can be saved until some space is freed on this computer. Everything already saved can still be read.';
  }
  return null;
}

export function SaveBanner() {
  const [health, setHealth] = useState<StoreHealthView>({ state: 'ok' });
  useEffect(() => {
    let live = true;
    const stop = on('store.health', setHealth);
    call('app.status').then(
      (status) => live && setHealth(status.store),
      () => {}, // the app's own status screen reports a failing status call
    );
    return () => {
      live = false;
      stop();
    };
  }, []);
  const text = saveBannerText(health);
  return text ? (
    <p className="notice" role="alert">
      {text}
    </p>
  ) : null;
}
