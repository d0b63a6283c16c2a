import { useEffect } from 'react';
import { useSync, useUsage } from '../../stores';
import { CallsPerKey } from './CallsPerKey';
import { cloudUsageView } from './cloudUsage';
import { DailyChart } from './DailyChart';
import { UsageLog } from './UsageLog';
import { UsageSummary } from './UsageSummary';
import './usage.css';

/** The day's count starts again at midnight UTC: load again then, as nothing else would say so. */
function useReloadAt(iso: string | undefined, load: () => Promise<void>) {
  useEffect(() => {
    if (!iso) return;
    const timer = setTimeout(() => void load(), Math.max(0, Date.parse(iso) - Date.now()) + 1_000);
    return () => clearTimeout(timer);
  }, [iso, load]);
}

/**
 * Calls today and this month against the plan, the last 30 days (this computer's beside the cloud account's), and
 * the usage log; live while shown.
 */
export function UsageScreen() {
  const { summary, daily, cloudDaily, error, load, watch } = useUsage();
  const cloud = cloudUsageView(useSync((s) => s.status));
  useEffect(() => watch(), [watch]);
  useReloadAt(summary?.today.resetAt, load);

  return (
    <section aria-labelledby="usage-title">
      <h2 id="usage-title">Usage</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {summary && (
        <>
          <UsageSummary summary={summary} />
          <DailyChart days={daily} cloud={cloud.show ? cloudDaily : null} />
          {cloud.note && (
            <p className="usage-cloud-note" data-testid="cloud-usage-note">
              {cloud.note}
              {!cloud.show && cloud.reason && <span className="usage-cloud-reason"> {cloud.reason}</span>}
            </p>
          )}
          <CallsPerKey />
          <UsageLog />
        </>
      )}
    </section>
  );
}
