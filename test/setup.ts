// Global test setup: no test may reach the network, and every nock mock must be used exactly as declared
// (Renovate's test/http-mock.ts discipline). Loopback stays allowed for real local servers (Prometheus, Redis, the app).
import nock from "nock";
import { afterEach, beforeAll, expect } from "vitest";

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, "nock mocks declared but never called").toEqual([]);
});
