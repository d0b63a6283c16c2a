import type { ResultOf } from '../../../src-shared/contract';
import { formatCount, formatTimeUntil } from '../../format';
import { useNow } from './useNow';

type Summary = ResultOf<'usage.summary'>;

const calls = (n: number) => `${formatCount(n)} ${n === 1 ? 'call' : 'calls'}`;

const localMidnight = (date: Date) => new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();

/** `today at 19:00`, `tomorrow at 01:00`: a reset time in the user's own time. */
function localResetTime(iso: string, now: number): string {
  const at = new Date(iso);
  const time = at.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
  // Rounded: a day with a daylight-saving change is 23 or 25 hours long.
  const days = Math.round((localMidnight(at) - localMidnight(new Date(now))) / 86_400_000);
  if (days === 0) return `today at ${time}`;
  if (days === 1) return `tomorrow at ${time}`;
  return `on ${at.toLocaleDateString([], { weekday: 'long', month: 'long', day: 'numeric' })} at ${time}`;
}

/** When a count starts again (the app's daily counts at midnight UTC), as a countdown and in local time. */
function Reset({ at, now }: { at: string; now: number }) {
  return (
    <>
      resets {formatTimeUntil(at, now)} <span className="usage-muted">({localResetTime(at, now)} your time)</span>
    </>
  );
}

function Today({ today, now }: { today: Summary['today']; now: number }) {
  return (
    <section className="card usage-card" aria-labelledby="usage-today-title">
      <h3 id="usage-today-title">Today</h3>
      <p className="usage-figure">
        <strong>{formatCount(today.used)}</strong> {today.used === 1 ? 'call' : 'calls'} today
      </p>
      <p>
        {today.limitPerKey === null ? 'No daily limit on your plan' : `Up to ${formatCount(today.limitPerKey)} per key`} ·{' '}
        <Reset at={today.resetAt} now={now} />
      </p>
    </section>
  );
}

function ThisMonth({ month }: { month: Summary['month'] }) {
  const resets = new Date(month.resetAt).toLocaleString([], { month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  return (
    <section className="card usage-card" aria-labelledby="usage-month-title">
      <h3 id="usage-month-title">This month</h3>
      <p className="usage-figure">
        <label htmlFor="usage-month-meter">
          <strong>{formatCount(month.used)}</strong> {month.limit === null ? (month.used === 1 ? 'call' : 'calls') : `of ${calls(month.limit)}`}
        </label>
      </p>
      {month.limit !== null && (
        // Past 75 % of the allowance the bar turns amber, past 90 % red (optimum 0: fewer calls is better).
        <meter id="usage-month-meter" min={0} max={month.limit} value={month.used} low={month.limit * 0.75} high={month.limit * 0.9} optimum={0} />
      )}
      <p>
        {month.limit === null && 'No monthly limit on your plan · '}
        {month.limit !== null && month.used >= month.limit && <strong>Monthly limit reached · </strong>}
        resets on {resets}
      </p>
    </section>
  );
}

function Cloud({ cloud, now }: { cloud: NonNullable<Summary['cloud']>; now: number }) {
  return (
    <section className="card usage-card" aria-labelledby="usage-cloud-title">
      <h3 id="usage-cloud-title">Cloud</h3>
      {cloud.remaining === null ? (
        <p>The cloud sets no limit on the key you used last.</p>
      ) : (
        <p className="usage-figure">
          <strong>{formatCount(cloud.remaining)}</strong> {cloud.limit === null ? 'calls' : `of ${calls(cloud.limit)}`} left
        </p>
      )}
      <p>
        As the cloud counts them for the key you used last
        {cloud.resetAt && (
          <>
            {' '}
            · <Reset at={cloud.resetAt} now={now} />
          </>
        )}
      </p>
    </section>
  );
}

/** Today's and this month's calls against the plan, and the cloud's own count once a cloud call has told it. */
export function UsageSummary({ summary }: { summary: Summary }) {
  const now = useNow();
  return (
    <div className="usage-cards">
      <Today today={summary.today} now={now} />
      <ThisMonth month={summary.month} />
      {summary.cloud && <Cloud cloud={summary.cloud} now={now} />}
    </div>
  );
}
