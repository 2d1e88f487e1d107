import type { AlertCondition } from './thresholds.js';

// One incident is one alert: a condition that starts is alerted, stays silent while it goes on,
// and is resolved (optionally announced) at the first check where it is clear. A condition that
// comes back within the cooldown of its last alert is a continuation of that trouble: it is
// tracked and logged, but not sent again.

/**
 * An open incident: one condition (by key) seen at consecutive checks.
 *
 * @example
 * ```ts
 * for (const i of monitor.incidents()) console.log(i.key, new Date(i.startedAt), i.alerted);
 * ```
 */
export interface Incident {
  key: string;
  condition: AlertCondition;
  /** The first check that saw it. */
  startedAt: number;
  /** Whether its start was sent as an alert (false when the cooldown suppressed it). */
  alerted: boolean;
}

/**
 * What one check changes.
 *
 * @example
 * ```ts
 * const u: IncidentUpdate = new IncidentTracker(1_800_000).update(conditions, Date.now());
 * console.log(u.started.length, u.resolved.length);
 * ```
 */
export interface IncidentUpdate {
  /** Incidents that started at this check and must be alerted. */
  started: Incident[];
  /** Incidents that started at this check within the cooldown of their key's last alert: logged, not sent. */
  suppressed: Incident[];
  /** Incidents that are over (their condition is clear at this check), with the time they ended. */
  resolved: Array<Incident & { resolvedAt: number }>;
  /** Incidents still going (seen before and again now). */
  continuing: Incident[];
}

/**
 * Tracks incidents across checks, with a cooldown per condition key. Pure state: give it each
 * check's conditions and the check time.
 *
 * @example
 * ```ts
 * import { IncidentTracker } from 'mlship/monitor';
 * const incidents = new IncidentTracker(30 * 60_000);
 * const u = incidents.update(evaluateThresholds(result), Date.now());
 * for (const i of u.started) console.log('ALERT', i.condition.message);
 * ```
 */
export class IncidentTracker {
  private readonly open = new Map<string, Incident>();
  private readonly lastAlert = new Map<string, number>();

  /** @param cooldownMs - how long after an alert the same condition is not alerted again. */
  constructor(readonly cooldownMs: number) {}

  /** Applies one check's conditions at time `now`. */
  update(conditions: readonly AlertCondition[], now: number): IncidentUpdate {
    const u: IncidentUpdate = { started: [], suppressed: [], resolved: [], continuing: [] };
    const seen = new Set<string>();
    for (const condition of conditions) {
      if (seen.has(condition.key)) continue;
      seen.add(condition.key);
      const existing = this.open.get(condition.key);
      if (existing) {
        existing.condition = condition;
        u.continuing.push(existing);
        continue;
      }
      const last = this.lastAlert.get(condition.key);
      const incident: Incident = { key: condition.key, condition, startedAt: now, alerted: last === undefined || now - last >= this.cooldownMs };
      this.open.set(condition.key, incident);
      if (incident.alerted) {
        this.lastAlert.set(condition.key, now);
        u.started.push(incident);
      } else u.suppressed.push(incident);
    }
    for (const [key, incident] of this.open) {
      if (seen.has(key)) continue;
      this.open.delete(key);
      u.resolved.push({ ...incident, resolvedAt: now });
    }
    return u;
  }

  /** The incidents open now. */
  active(): Incident[] {
    return [...this.open.values()];
  }
}
