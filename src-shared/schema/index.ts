export * from './define';
export { TIERS, ROLES, USAGE_ACTIONS, seedTables, users, apiKeys, rateLimits, subscriptions } from './seed';
export * from './app';
