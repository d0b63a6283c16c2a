import { z } from 'zod';
import { args, method, noArgs } from './common';

/** The port the agent API listens on unless the user picks another (the README names it). */
export const AGENT_API_DEFAULT_PORT = 7417;

/** What the user sets in Settings → Agent API. */
export const agentApiSettings = z.object({
  enabled: z.boolean(),
  port: z.int().min(1024, 'Pick a port from 1024 to 65535.').max(65_535, 'Pick a port from 1024 to 65535.'),
  /** A cloud voice asked for while the cloud cannot be used is spoken by the offline voice of the same gender. */
  nearestOfflineVoice: z.boolean(),
});

export const agentApiView = agentApiSettings.extend({
  /** `http://127.0.0.1:PORT` while it listens, else null. */
  address: z.string().nullable(),
  /** Why it is not running although it is on (the port is in use, ...), with what to change; null otherwise. */
  problem: z.string().nullable(),
});

export const agentApiMethods = {
  'agentApi.get': method(noArgs, agentApiView),
  /** Saves the fields given and starts, stops or moves the server to match; answers how it runs now. */
  'agentApi.update': method(args({ enabled: z.boolean().optional(), port: agentApiSettings.shape.port.optional(), nearestOfflineVoice: z.boolean().optional() }), agentApiView),
};

export type AgentApiSettings = z.infer<typeof agentApiSettings>;
export type AgentApiView = z.infer<typeof agentApiView>;
