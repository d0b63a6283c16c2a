import { useId } from 'react';
import { formatCount } from '../../format';

interface Day {
  date: string;
  calls: number;
}

/** The chart's own units: each day is 10 wide (a 7-wide bar and a gap, or two 4-wide bars side by side), the tallest bar 100 high. */
const SLOT = 10;
const BAR = 7;
const PAIR = 4;
const HEIGHT = 100;

/** `Mar 5`: a UTC day (`2024-03-05`) as the user's locale writes it; the last one is today. */
function dayLabel(date: string, isToday: boolean): string {
  if (isToday) return 'Today';
  return new Date(`${date}T00:00:00Z`).toLocaleDateString([], { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

export const calls = (n: number) => `${formatCount(n)} ${n === 1 ? 'call' : 'calls'}`;

/**
 * Calls per UTC day, oldest first, as bars: this computer's, and beside each the cloud account's (as the service
 * counted them) when `cloud` is given, the same days. The picture has a one-line summary for screen readers, and
 * the numbers themselves are in a table they can read (hidden on screen, where each bar's tooltip says its day).
 */
export function DailyChart({ days, cloud }: { days: Day[]; cloud?: Day[] | null }) {
  const captionId = useId();
  const cloudOf = new Map((cloud ?? []).map((day) => [day.date, day.calls]));
  const both = cloud !== undefined && cloud !== null;
  const max = Math.max(1, ...days.map((day) => day.calls), ...cloudOf.values());
  const total = days.reduce((sum, day) => sum + day.calls, 0);
  const cloudTotal = days.reduce((sum, day) => sum + (cloudOf.get(day.date) ?? 0), 0);
  const busiest = days.reduce<Day | undefined>((best, day) => (day.calls > (best?.calls ?? 0) ? day : best), undefined);
  const labelOf = (i: number) => dayLabel(days[i]!.date, i === days.length - 1);
  const busiestDay = (index: number) => (index === days.length - 1 ? 'today' : `on ${labelOf(index)}`);
  // A profile without a call in these days (a new one, or just imported) has no busiest day.
  const local = busiest
    ? `${calls(total)} in the last ${days.length} days; the most ${busiestDay(days.indexOf(busiest))}, with ${formatCount(busiest.calls)}.`
    : `No calls in the last ${days.length} days.`;
  const summary = both ? `This computer: ${local} Cloud account: ${calls(cloudTotal)}.` : local;
  const height = (n: number) => (n / max) * HEIGHT;

  return (
    <figure className="card usage-chart" aria-labelledby={captionId}>
      <figcaption id={captionId}>
        <h3>Calls per day, last {days.length} days</h3>
      </figcaption>
      {both && (
        <ul className="usage-chart-legend">
          <li>
            <span className="swatch local" aria-hidden="true" /> This computer: {calls(total)}
          </li>
          <li>
            <span className="swatch cloud" aria-hidden="true" /> Cloud account: {calls(cloudTotal)}
          </li>
        </ul>
      )}
      <div className="usage-chart-plot">
        <div className="usage-chart-scale" aria-hidden="true">
          <span>{formatCount(max)}</span>
          <span>0</span>
        </div>
        <svg viewBox={`0 0 ${days.length * SLOT} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={summary}>
          {/* The cloud's bars first: this computer's last bar stays today's. */}
          {both &&
            days.map((day, i) => {
              const n = cloudOf.get(day.date) ?? 0;
              return (
                <rect key={`cloud-${day.date}`} className="cloud" x={i * SLOT + SLOT / 2} y={HEIGHT - height(n)} width={PAIR} height={height(n)}>
                  <title>{`${labelOf(i)}: ${calls(n)} on the cloud account`}</title>
                </rect>
              );
            })}
          {days.map((day, i) => (
            <rect
              key={day.date}
              className={i === days.length - 1 ? 'today' : undefined}
              x={both ? i * SLOT + SLOT / 2 - PAIR : i * SLOT + (SLOT - BAR) / 2}
              y={HEIGHT - height(day.calls)}
              width={both ? PAIR : BAR}
              height={height(day.calls)}
            >
              <title>{`${labelOf(i)}: ${calls(day.calls)}${both ? ' on this computer' : ''}`}</title>
            </rect>
          ))}
        </svg>
        <div className="usage-chart-axis" aria-hidden="true">
          <span>{days.length > 0 && labelOf(0)}</span>
          <span>Today</span>
        </div>
      </div>
      <table className="visually-hidden">
        <caption>Calls per day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">{both ? 'This computer' : 'Calls'}</th>
            {both && <th scope="col">Cloud account</th>}
          </tr>
        </thead>
        <tbody>
          {days.map((day, i) => (
            <tr key={day.date}>
              <th scope="row">{labelOf(i)}</th>
              <td>{formatCount(day.calls)}</td>
              {both && <td>{formatCount(cloudOf.get(day.date) ?? 0)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
