export { assertSafeUrl, getAddressProblem, UnsafeUrlError, type LookupFn, type SafeUrlOptions } from "./ssrf.js";
export { fetchGuarded, HttpFetchError, type FetchFn, type GuardedRequest } from "./fetch-limited.js";
export { queryPrometheus, measurePrometheus, PrometheusQueryError, type PrometheusOptions } from "./prometheus.js";
export { fetchHttpCheck, type HttpCheckDeps } from "./http-check.js";
export { fetchScanReport, clearScanReportCache, type ScanReportAccess, type ScanReportResult, type ScanReportDeps } from "./scan-report.js";
