/** Time, injected so gates, soak and the demo can run on a simulated clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
