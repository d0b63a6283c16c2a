export * from './define';
export { TIERS, ROLES, USAGE_ACTIONS, seedTables, rateLimits, subscriptions } from './seed';
export * from './app';
export * from './devices';
