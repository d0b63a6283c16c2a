import { useEffect } from 'react';
import { useUsage } from '../../stores';
import { CallsPerKey } from './CallsPerKey';
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

/** Calls today and this month against the plan, the last 30 days, and the usage log; live while shown. */
export function UsageScreen() {
  const { summary, daily, error, load, watch } = useUsage();
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
          <DailyChart days={daily} />
          <CallsPerKey />
          <UsageLog />
        </>
      )}
    </section>
  );
}
