/**
 * Continuous monitoring of the prediction log: scheduled window checks (a flow), gauges for
 * `/metrics`, alerts (webhook and log) with a cooldown, a retraining policy, and simulated traffic.
 * @packageDocumentation
 */
export { startMonitoring } from './monitor.js';
export type { StartMonitoringOptions, MonitorHandle, MonitorCheck, AlertOptions, AlertEvent, AlertEventCondition, RetrainPolicy, RetrainContext, RetrainOutcome } from './monitor.js';
export { evaluateThresholds, parseBounds, checkThresholds, driftScore } from './thresholds.js';
export type { MonitorThresholds, AlertCondition, AlertKind } from './thresholds.js';
export { IncidentTracker } from './incidents.js';
export type { Incident, IncidentUpdate } from './incidents.js';
export { monitorGauges, renderGauges, MONITOR_GAUGES } from './gauges.js';
export type { GaugeSample, GaugeState, MonitorGaugeName } from './gauges.js';
export { postWebhook, checkWebhookUrl } from './webhook.js';
export type { WebhookOptions, WebhookResult } from './webhook.js';
export { parseDuration, formatDuration } from './duration.js';
export { simulateTraffic } from './simulate.js';
export type { SimulateOptions, SimulateProgress, SimulateResult } from './simulate.js';
