/**
 * What every route plugin receives: the client whose stores it serves.
 */
import type { MlshipClient } from '../tracking/index.js';

/** The options `createApp` passes to each route plugin. */
export interface ServeContext {
  /** The client (tracking store, registry store, artifact stores) the routes serve. */
  client: MlshipClient;
}
